"""The demo province as `make run` loads it: the assessments and announcements
(vungxanh/criteria/demo.py), the emulation campaign (vungxanh/emulation/demo.py) and its dossiers
(vungxanh/awards/demo.py). One load serves every check."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from vungxanh.accounts.models import AuditEvent, User
from vungxanh.areas.models import Area, OrganizationType, Tier
from vungxanh.awards.demo import load_demo_dossiers
from vungxanh.awards.models import Dossier, GrantedAward
from vungxanh.criteria import actions, rules
from vungxanh.criteria.demo import PLACEHOLDER, load_demo_assessments
from vungxanh.criteria.models import AnnouncedUnit, Announcement, Assessment, CriteriaSet
from vungxanh.emulation import demo as emulation_demo
from vungxanh.emulation import standings
from vungxanh.emulation.models import Campaign, PhaseReview, Registration
from vungxanh.risk.models import CaseRecord, Setting
from vungxanh.teams.demo import DEMO_TODAY

Status = Assessment.Status


@pytest.mark.django_db
def test_the_demo_rates_units_announces_safe_villages_and_runs_the_emulation_campaign():
    from vungxanh.portal.demo import load_demo

    load_demo(all_provinces=False)
    assessments = list(
        Assessment.objects.select_related("version__criteria_set", "area", "organization")
    )
    _every_kind_of_unit_verified_returned_and_expired(assessments)
    _every_stored_score_is_the_rules_score(assessments)
    _the_national_sets_are_published_as_labelled_demo_versions()
    _two_announcements_of_verified_safe_villages_one_flagged_by_a_later_case()
    count = len(assessments)
    assert load_demo_assessments(Area.objects.get(code="56")) == 0  # idempotent
    assert Assessment.objects.count() == count
    _the_campaign_has_two_phases_the_first_frozen_with_its_registrations_decided()
    _the_dossiers_sit_at_every_step_of_the_chain_and_two_are_decided()
    assert load_demo_dossiers(Area.objects.get(code="56")) == 0  # idempotent


def _the_campaign_has_two_phases_the_first_frozen_with_its_registrations_decided() -> None:
    campaign = Campaign.objects.get(code=emulation_demo.CODE)
    phase_1, phase_2 = campaign.phases.order_by("number")
    assert (phase_1.review_on, phase_1.dossier_deadline) == (date(2021, 9, 10), date(2021, 9, 8))
    assert (phase_2.ends_on, phase_2.dossier_deadline) == (date(2021, 12, 31), date(2021, 12, 20))
    registrations = list(campaign.registrations.all())
    status = Counter(r.status for r in registrations)
    assert status[Registration.Status.PENDING] == 1 and status[Registration.Status.REFUSED] == 0
    assert all(r.late for r in registrations if r.status == Registration.Status.PENDING)
    assert any(r.late for r in registrations if r.status == Registration.Status.ACCEPTED)
    frozen = standings.from_json(PhaseReview.objects.get(phase=phase_1).standings)
    assert {s.cluster for s in frozen} == {c.name for c in campaign.clusters.all()}
    # the frozen record is what the standings were on the review day
    live = standings.compute(campaign, phase_1, phase_1.review_on)
    assert standings.as_json(live) == standings.as_json(frozen)
    assert all(len(s.lines) == campaign.criteria.count() for s in frozen)


def _the_dossiers_sit_at_every_step_of_the_chain_and_two_are_decided() -> None:
    dossiers = list(Dossier.objects.filter(campaign__code=emulation_demo.CODE))
    status = Counter(d.status for d in dossiers)
    assert status == {
        Dossier.Status.DECIDED: 2,
        Dossier.Status.IN_REVIEW: 3,
        Dossier.Status.RETURNED: 1,
        Dossier.Status.DRAFT: 1,
    }
    waiting = {
        d.current_step().kind  # type: ignore[union-attr]
        for d in dossiers
        if d.status == Dossier.Status.IN_REVIEW
    }
    assert waiting == {"forward", "standing_agency", "emulation"}
    late = [d for d in dossiers if d.late]
    assert len(late) == 1 and not late[0].late_accepted
    granted = GrantedAward.objects.filter(decision__dossier__in=dossiers)
    assert granted.count() == 4 and granted.exclude(presented_on=None).count() == 2
    for award in granted.select_related("nomination"):
        if award.nomination.kind == "collective":
            assert award.nomination.evidence["standing"]["frozen"] is True


def _every_kind_of_unit_verified_returned_and_expired(assessments: list[Assessment]) -> None:
    seen = Counter((a.version.criteria_set.code, a.status) for a in assessments)
    for code in ("2194", "1467", "village"):
        for status in (Status.VERIFIED, Status.RETURNED, Status.EXPIRED):
            assert seen[(code, status)] > 0, (code, status)
    for a in assessments:
        code = a.version.criteria_set.code
        if code == "village":
            assert a.area is not None and a.area.tier == Tier.VILLAGE
        else:
            assert a.organization is not None
            is_school = a.organization.type == OrganizationType.SCHOOL
            assert is_school == (code == "1467")
        assert date(2021, 8, 1) <= a.assessed_on <= date(2021, 10, 31)
        if a.status == Status.EXPIRED:
            assert a.valid_until is not None and a.valid_until < DEMO_TODAY
        if a.status == Status.VERIFIED:
            assert a.valid_until is not None and a.valid_until >= DEMO_TODAY
            assert a.verified_at is not None and a.verified_at.date() > a.assessed_on
        if a.status == Status.RETURNED:
            assert len(a.review_note) >= 5
    ratings = {
        code: {a.rating for a in assessments if a.version.criteria_set.code == code}
        for code in ("2194", "1467")
    }
    assert ratings["2194"] >= {"very_low", "low", "medium", "high"}
    assert ratings["1467"] == {"good", "fair", "unsafe"}


def _every_stored_score_is_the_rules_score(assessments: list[Assessment]) -> None:
    for a in assessments:
        definition = a.version.parsed
        result = rules.score(
            definition, actions.merged_answers(definition, a.answers, a.auto_answers)
        )
        stored = (a.points, a.max_points, a.percent, a.passed, a.rating, a.safe)
        expected = (
            result.points,
            result.max_points,
            result.percent,
            result.passed,
            result.rating,
            result.safe,
        )
        assert stored == expected, a


def _the_national_sets_are_published_as_labelled_demo_versions() -> None:
    health = User.objects.get(username="yte")
    for code in ("2194", "1467"):
        cset = CriteriaSet.objects.get(code=code)
        shipped, demo = cset.versions.order_by("version")
        assert shipped.status == "draft" and demo.status == "published"
        assert cset.current() == demo and demo.created_by == health
        assert PLACEHOLDER in demo.provenance and "minh họa" in demo.decision
        for before, after in zip(shipped.parsed.criteria, demo.parsed.criteria, strict=True):
            assert after.status == before.status
            assert after.text.startswith(PLACEHOLDER) == (not before.is_complete)
        assert not demo.parsed.publish_errors()
        audit = AuditEvent.objects.filter(actor=health, object_id=str(demo.pk))
        assert {e.verb for e in audit} == {"draft_criteria_version", "transition"}
        if code == "2194":
            cs3 = demo.parsed.criterion("CS3")
            assert cs3 is not None and [o.points for o in cs3.options] == [0, 5, 20, 30]


def _two_announcements_of_verified_safe_villages_one_flagged_by_a_later_case() -> None:
    announcements = list(Announcement.objects.order_by("signed_on"))
    assert len(announcements) == 2
    for announcement in announcements:
        units = list(announcement.units.select_related("assessment", "area"))
        assert len(units) >= 10
        for unit in units:
            a = unit.assessment
            assert a.area_id == unit.area_id and unit.area.tier == Tier.VILLAGE
            assert a.status == Status.VERIFIED and a.safe
            assert a.verified_at is not None and a.verified_at.date() < announcement.signed_on
            assert a.valid_until is not None and a.valid_until >= announcement.valid_until
    flagged = AnnouncedUnit.objects.exclude(flagged_at=None).select_related("flag_case")
    assert len(flagged) == 1
    unit = flagged[0]
    assert unit.flag_case is not None and unit.flag_case.area_id == unit.area_id
    assert unit.flag_case.date > unit.announcement.signed_on
    # No other community case fell where an announcement was in force: nothing else to flag.
    for announcement in announcements:
        for unit in announcement.units.select_related("area"):
            cases = CaseRecord.objects.filter(
                area__path__in=[unit.area.path, unit.area.path.rsplit("/", 2)[0] + "/"],
                setting=Setting.COMMUNITY,
                date__range=(announcement.valid_from, announcement.valid_until),
            )
            assert cases.count() == (1 if unit.flagged_at else 0)
