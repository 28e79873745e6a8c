"""Dossiers: routed up the managing links (no skipping a level), each step acted on once by the
body that holds it, late dossiers accepted explicitly, numbers in the issuer's register, and no
second award for the same achievement."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from vungxanh.areas.models import Area
from vungxanh.awards import actions
from vungxanh.awards.models import AwardForm, Dossier, ReviewStep
from vungxanh.awards.tests.conftest import commune_dossier, step_transitions


@pytest.mark.django_db
def test_a_commune_s_dossier_climbs_through_the_district_and_the_province_s_chain(people, campaign):
    dossier = commune_dossier(people, campaign)
    actions.do_submit_dossier(people["commune"], dossier, on=date(2021, 9, 5))
    steps = list(dossier.steps.order_by("order"))
    assert [(s.kind, s.area.code) for s in steps] == [
        ("forward", "568"),
        ("standing_agency", "56"),
        ("emulation", "56"),
        ("chairman", "56"),
    ]
    assert dossier.number == "01/TTr-UBND" and not dossier.late
    with translation.override("vi"):  # the area's name opens a sentence only when forwarding
        assert steps[0].title == "Thành phố Nha Trang xem xét, đề nghị cấp trên"
        assert steps[1].title == "Cơ quan thường trực tỉnh Khánh Hòa thẩm định"
    # nobody further up acts before the district: the chairman cannot decide yet
    with pytest.raises(actions.AwardRefused) as early:
        actions.do_decide(
            people["chairman"],
            dossier,
            number="1/QĐ-UBND",
            signed_on=date(2021, 9, 6),
            signer="Chủ tịch",
            nominations=list(dossier.nominations.all()),
        )
    assert early.value.field == "step"
    with pytest.raises(actions.AwardRefused):
        actions.do_accept_step(people["standing"], steps[0])  # not the district's officer
    actions.do_accept_step(people["district_officer"], steps[0], "Đề nghị tỉnh khen")
    steps[1].refresh_from_db()
    actions.do_accept_step(people["standing"], steps[1])
    steps[2].refresh_from_db()
    actions.do_accept_step(people["emulation"], steps[2])
    # a district chairman cannot grant what only the province grants
    with pytest.raises(actions.AwardRefused):
        actions.do_decide(
            people["district_chairman"],
            dossier,
            number="9/QĐ-UBND",
            signed_on=date(2021, 9, 7),
            signer="Chủ tịch UBND thành phố",
            nominations=list(dossier.nominations.all()),
        )
    decision = actions.do_decide(
        people["chairman"],
        dossier,
        number="1520/QĐ-UBND",
        signed_on=date(2021, 9, 7),
        signer="Chủ tịch UBND tỉnh",
        nominations=list(dossier.nominations.all()),
    )
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.DECIDED and decision.awards.count() == 1

    # the same achievement cannot be awarded twice: a second dossier is refused at decision
    again = commune_dossier(people, campaign)
    actions.do_submit_dossier(people["commune"], again, on=date(2021, 9, 6))
    assert again.number == "02/TTr-UBND"
    for step in again.steps.order_by("order")[:3]:
        step.refresh_from_db()
        holder = {
            "forward": "district_officer",
            "standing_agency": "standing",
            "emulation": "emulation",
        }
        actions.do_accept_step(people[holder[step.kind]], step)
    with pytest.raises(actions.AwardRefused) as twice:
        actions.do_decide(
            people["chairman"],
            again,
            number="1600/QĐ-UBND",
            signed_on=date(2021, 9, 9),
            signer="Chủ tịch UBND tỉnh",
            nominations=list(again.nominations.all()),
        )
    assert "1520/QĐ-UBND" in twice.value.message and "07/09/2021" in twice.value.message
    assert twice.value.conflict  # the API answers 409


@pytest.mark.django_db
def test_two_reviewers_on_the_same_step_one_succeeds_the_other_gets_a_conflict(people, campaign):
    dossier = commune_dossier(people, campaign)
    actions.do_submit_dossier(people["commune"], dossier, on=date(2021, 9, 5))
    first = dossier.steps.get(order=1)
    actions.do_accept_step(people["district_officer"], first)
    step = dossier.steps.get(kind="emulation")
    ReviewStep.objects.filter(pk=dossier.steps.get(kind="standing_agency").pk).update(
        status=ReviewStep.Status.ACCEPTED
    )
    ReviewStep.objects.filter(pk=step.pk).update(status=ReviewStep.Status.PENDING)
    seen_by_one = ReviewStep.objects.get(pk=step.pk)
    seen_by_two = ReviewStep.objects.get(pk=step.pk)
    actions.do_accept_step(people["emulation"], seen_by_one, "Đủ điều kiện")
    with pytest.raises(actions.AwardRefused) as conflict:
        actions.do_return_step(people["emulation_2"], seen_by_two, "Thiếu tóm tắt thành tích")
    assert conflict.value.field == "status"
    assert step_transitions(step) == 1
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.IN_REVIEW


@pytest.mark.django_db
def test_a_late_dossier_is_flagged_and_needs_an_explicit_acceptance(people, campaign):
    dossier = commune_dossier(people, campaign)
    actions.do_submit_dossier(people["commune"], dossier, on=date(2021, 9, 8))
    assert dossier.late is True
    step = dossier.steps.get(order=1)
    with pytest.raises(actions.AwardRefused) as refused:
        actions.do_accept_step(people["district_officer"], step)
    assert refused.value.field == "late"
    actions.do_accept_step(
        people["district_officer"], step, "Chậm do phong tỏa, chấp nhận", accept_late=True
    )
    dossier.refresh_from_db()
    assert dossier.late_accepted and dossier.late_note == "Chậm do phong tỏa, chấp nhận"


@pytest.mark.django_db
def test_a_form_granted_below_the_issuer_s_level_is_refused(people, campaign):
    with pytest.raises(actions.AwardRefused) as refused:
        actions.do_create_dossier(
            people["standing"],
            award_form=AwardForm.objects.get(code="GK_XA"),
            title="x",
            signer_title="GIÁM ĐỐC",
            signer_name="A",
            issuer_abbr="SYT",
            issuer_area=Area.objects.get(code="56"),
        )
    assert refused.value.field == "award_form"
