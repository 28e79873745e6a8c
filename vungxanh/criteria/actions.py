"""Changes to criteria sets, assessments and announcements: one transaction each, checked against
the actor's scope, audited; status changes go through the guarded `transition`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from vungxanh import metrics
from vungxanh.accounts.audit import record_audit, record_audit_many
from vungxanh.accounts.models import User
from vungxanh.accounts.roles import ANNOUNCE_SAFE, ASSESS_SAFETY, EDIT_CRITERIA, VERIFY_SAFETY
from vungxanh.accounts.scope import Scope, scope_of_actor
from vungxanh.accounts.workflow import Conflict, transition
from vungxanh.areas.models import Area, Organization, OrganizationType, Tier, under
from vungxanh.lib import clock
from vungxanh.lib.errors import Refused

from . import files, rules
from .models import (
    AnnouncedUnit,
    Announcement,
    Assessment,
    CriteriaSet,
    CriteriaSetVersion,
    Evidence,
)

# Which organizations a set for each target type assesses (area targets assess areas).
ORGANIZATION_TARGETS: dict[str, set[str]] = {
    "school": {OrganizationType.SCHOOL},
    "business": {
        OrganizationType.BUSINESS,
        OrganizationType.FACTORY,
        OrganizationType.MARKET,
        OrganizationType.OTHER,
    },
    "agency": {
        OrganizationType.AGENCY,
        OrganizationType.HEALTH_AUTHORITY,
        OrganizationType.HEALTH_STATION,
        OrganizationType.HOSPITAL,
        OrganizationType.MASS_ORGANIZATION,
        OrganizationType.POLICE,
        OrganizationType.MARKET_SURVEILLANCE,
    },
    "market": {OrganizationType.MARKET},
    "other": set(OrganizationType.values),
}
AREA_TARGETS = {"village": Tier.VILLAGE, "commune": Tier.COMMUNE}
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = {  # the file's first bytes → its type; the name's extension is not trusted
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


class CriteriaRefused(Refused):
    pass


def _scope(actor: User | None, permission: str) -> Scope:
    return scope_of_actor(actor, permission)


def _guarded(obj: Any, old: str, new: str, actor: User | None, path: str, **kw: Any) -> None:
    try:
        transition(obj, field="status", old=old, new=new, actor=actor, area_path=path, **kw)
    except Conflict as exc:
        raise CriteriaRefused("status", str(exc)) from exc


# Sets and versions ------------------------------------------------------------------------------


def install_shipped_sets(
    set_model: Any = CriteriaSet, version_model: Any = CriteriaSetVersion
) -> None:
    """The shipped sets as version 1, once: the village example published, the two national
    sets as drafts until their criteria are completed from the official texts. The models are
    parameters so that a migration can pass its historical ones."""
    for code in rules.SHIPPED:
        document = rules.shipped(code)
        definition = rules.parse(document["definition"])
        cset, _created = set_model.objects.get_or_create(
            code=code,
            defaults={
                "name": document["name"],
                "target": definition.target,
                "local_example": document["local_example"],
            },
        )
        if version_model.objects.filter(criteria_set=cset).exists():
            continue
        publishable = not definition.publish_errors()
        version_model.objects.create(
            criteria_set=cset,
            version=1,
            status=(
                CriteriaSetVersion.Status.PUBLISHED
                if publishable
                else CriteriaSetVersion.Status.DRAFT
            ),
            published_at=timezone.now() if publishable else None,
            definition=definition.model_dump(mode="json"),
            decision=document["decision"],
            decision_date=date.fromisoformat(document["decision_date"]),
            effective_from=date.fromisoformat(document["effective_from"]),
            provenance=document["provenance"],
        )


def _require_editor(actor: User | None) -> None:
    if _scope(actor, EDIT_CRITERIA).is_empty:
        raise CriteriaRefused("set", _("You may not edit criteria sets."))


def do_draft_version(
    actor: User | None,
    cset: CriteriaSet,
    *,
    definition: dict[str, Any],
    decision: str,
    decision_date: date,
    effective_from: date,
    provenance: str,
) -> CriteriaSetVersion:
    """A new draft version of the set; the versions before it stay as they are."""
    _require_editor(actor)
    try:
        parsed = rules.parse(definition)
    except ValidationError as exc:
        raise CriteriaRefused("definition", "; ".join(rules.errors_of(exc))) from exc
    if parsed.target != cset.target:
        raise CriteriaRefused(
            "target", _("This set assesses %(target)s.") % {"target": cset.get_target_display()}
        )
    with transaction.atomic():
        last = cset.versions.select_for_update().order_by("-version").first()
        version = CriteriaSetVersion.objects.create(
            criteria_set=cset,
            version=(last.version if last else 0) + 1,
            definition=parsed.model_dump(mode="json"),
            decision=decision,
            decision_date=decision_date,
            effective_from=effective_from,
            provenance=provenance,
            created_by=actor if actor and actor.pk else None,
        )
        record_audit(
            actor, "draft_criteria_version", version, area_path="", after=version.audit_dict()
        )
    return version


def do_update_draft(
    actor: User | None, version: CriteriaSetVersion, definition: dict[str, Any]
) -> CriteriaSetVersion:
    """Change a draft's definition. A published version refuses: edit a new draft instead."""
    _require_editor(actor)
    try:
        parsed = rules.parse(definition)
    except ValidationError as exc:
        raise CriteriaRefused("definition", "; ".join(rules.errors_of(exc))) from exc
    with transaction.atomic():
        before = CriteriaSetVersion.objects.filter(
            pk=version.pk, status=CriteriaSetVersion.Status.DRAFT
        )
        if not before.update(definition=parsed.model_dump(mode="json")):
            raise CriteriaRefused(
                "status", _("A published version never changes; make a new version to edit.")
            )
        version.refresh_from_db()
        version.__dict__.pop("parsed", None)
        record_audit(
            actor, "edit_criteria_version", version, area_path="", after=version.audit_dict()
        )
    return version


def do_publish_version(actor: User | None, version: CriteriaSetVersion) -> None:
    _require_editor(actor)
    if errors := version.parsed.publish_errors():
        raise CriteriaRefused(
            "definition",
            _("This version cannot be published yet: %(errors)s.") % {"errors": "; ".join(errors)},
        )
    with transaction.atomic():
        _guarded(
            version,
            CriteriaSetVersion.Status.DRAFT,
            CriteriaSetVersion.Status.PUBLISHED,
            actor,
            "",
            also={"published_at": timezone.now()},
        )


# Assessments -----------------------------------------------------------------------------------


def unit_paths(area: Area | None, organization: Organization | None) -> tuple[str, str]:
    """(area path, organization management path) of a unit, for scope."""
    if organization is not None:
        return organization.area.path, organization.management_path
    assert area is not None
    return area.path, ""


def _unit_path(assessment: Assessment) -> str:
    return assessment.org_path or assessment.area_path


def _covers(actor: User | None, permission: str, assessment: Assessment) -> bool:
    scope = _scope(actor, permission)
    return scope.covers(assessment.area_path) or bool(
        assessment.org_path and scope.covers(assessment.org_path)
    )


def do_start_assessment(
    actor: User | None,
    cset: CriteriaSet,
    *,
    area: Area | None = None,
    organization: Organization | None = None,
    assessed_on: date | None = None,
) -> Assessment:
    """A draft self-assessment of a unit against the set's version in force."""
    version = cset.current()
    if version is None:
        raise CriteriaRefused(
            "set", _("This set has no published version yet; it cannot be used to assess.")
        )
    target = version.parsed.target
    if target in AREA_TARGETS:
        if area is None or organization is not None or area.tier != AREA_TARGETS[target]:
            raise CriteriaRefused(
                "unit", _("This set assesses %(target)s.") % {"target": cset.get_target_display()}
            )
    elif (
        organization is None
        or area is not None
        or organization.type not in ORGANIZATION_TARGETS.get(target, set())
    ):
        raise CriteriaRefused(
            "unit", _("This set assesses %(target)s.") % {"target": cset.get_target_display()}
        )
    area_path, org_path = unit_paths(area, organization)
    assessment = Assessment(
        version=version,
        area=area,
        organization=organization,
        area_path=area_path,
        org_path=org_path,
        assessed_on=assessed_on or clock.today(),
        created_by=actor if actor and actor.pk else None,
    )
    if not _covers(actor, ASSESS_SAFETY, assessment):
        raise CriteriaRefused("unit", _("No such unit within your scope."))
    with transaction.atomic():
        _rescore(assessment, {})
        assessment.save()
        record_audit(
            actor,
            "start_assessment",
            assessment,
            area_path=area_path,
            after=assessment.audit_dict(),
        )
    return assessment


def live_answers(definition: rules.Definition, area: Area | None, day: date) -> dict[str, Any]:
    """What the product already knows: for an area unit, each automatic criterion's metric."""
    if area is None:
        return {}
    return {
        c.number: metrics.value(c.auto, area, day)
        for c in definition.criteria
        if c.auto and c.auto in metrics.REGISTRY
    }


def _auto_answer(c: rules.Criterion, measured: float) -> Any:
    if c.kind != "pass_fail":
        return measured
    ok = True
    if c.pass_at_least is not None:
        ok = ok and measured >= c.pass_at_least
    if c.pass_at_most is not None:
        ok = ok and measured <= c.pass_at_most
    return ok


def merged_answers(
    definition: rules.Definition, answers: dict[str, Any], auto: dict[str, Any]
) -> dict[str, Any]:
    """The unit's answers with those the product knows put in their place."""
    merged = dict(answers)
    for number, measured in auto.items():
        criterion = definition.criterion(number)
        if criterion is not None:
            merged[number] = _auto_answer(criterion, measured)
    return merged


def _rescore(assessment: Assessment, answers: dict[str, Any]) -> rules.Score:
    definition = assessment.version.parsed
    try:
        cleaned = rules.clean_answers(definition, answers)
    except rules.AnswerError as exc:
        raise CriteriaRefused(exc.number, exc.message) from exc
    auto = live_answers(definition, assessment.area, assessment.assessed_on)
    for number in auto:
        cleaned.pop(number, None)
    result = rules.score(definition, merged_answers(definition, cleaned, auto))
    assessment.answers = cleaned
    assessment.auto_answers = auto
    assessment.points = result.points
    assessment.max_points = result.max_points
    assessment.percent = result.percent
    assessment.passed = result.passed
    assessment.rating = result.rating
    assessment.safe = result.safe
    return result


EDITABLE = (Assessment.Status.DRAFT, Assessment.Status.RETURNED)


def do_save_answers(
    actor: User | None, assessment: Assessment, answers: dict[str, Any]
) -> rules.Score:
    if not _covers(actor, ASSESS_SAFETY, assessment):
        raise CriteriaRefused("unit", _("No such unit within your scope."))
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status not in EDITABLE:
            raise CriteriaRefused(
                "status", _("This assessment is submitted; it can no longer be changed.")
            )
        before = locked.audit_dict()
        result = _rescore(assessment, answers)
        assessment.save()
        record_audit(
            actor,
            "save_assessment",
            assessment,
            area_path=assessment.area_path,
            before=before,
            after=assessment.audit_dict(),
        )
    return result


def do_submit_assessment(actor: User | None, assessment: Assessment) -> None:
    if not _covers(actor, ASSESS_SAFETY, assessment):
        raise CriteriaRefused("unit", _("No such unit within your scope."))
    if assessment.status not in EDITABLE:
        raise CriteriaRefused("status", _("This assessment is already submitted."))
    with transaction.atomic():
        _guarded(
            assessment,
            assessment.status,
            Assessment.Status.SUBMITTED,
            actor,
            assessment.area_path,
            also={
                "submitted_at": timezone.now(),
                "submitted_by": actor if actor and actor.pk else None,
            },
        )


def _require_verifier(actor: User | None, assessment: Assessment) -> None:
    if not _covers(actor, VERIFY_SAFETY, assessment):
        raise CriteriaRefused("unit", _("No such unit within your scope."))
    if actor is not None and actor.pk and actor.pk == assessment.submitted_by_id:
        raise CriteriaRefused(
            "verifier", _("Whoever submitted an assessment cannot verify it; ask the level above.")
        )


@dataclass
class Correction:
    criterion: str
    value: Any
    reason: str


def do_verify_assessment(
    actor: User | None,
    assessment: Assessment,
    *,
    note: str = "",
    corrections: list[Correction] | None = None,
) -> None:
    """Verify a submitted assessment, correcting answers with a reason each; the rating is then
    valid for the set's period from today."""
    _require_verifier(actor, assessment)
    definition = assessment.version.parsed
    with transaction.atomic():
        fixes = []
        answers = dict(assessment.answers)
        for fix in corrections or []:
            if definition.criterion(fix.criterion) is None:
                raise CriteriaRefused(fix.criterion, _("No such criterion in this set."))
            if len(fix.reason.strip()) < 5:
                raise CriteriaRefused(
                    fix.criterion, _("Give the reason for correcting this answer.")
                )
            if fix.criterion in assessment.auto_answers:
                raise CriteriaRefused(
                    fix.criterion, _("This answer comes from the product's data.")
                )
            fixes.append(
                {
                    "criterion": fix.criterion,
                    "before": answers.get(fix.criterion),
                    "after": fix.value,
                    "reason": fix.reason.strip(),
                    "by": actor.get_username() if actor else "",
                    "at": timezone.now().isoformat(),
                }
            )
            answers[fix.criterion] = fix.value
        before = assessment.audit_dict()
        if fixes:
            _rescore(assessment, answers)
        today = clock.today()
        valid_until = today + timedelta(days=definition.validity_days)
        _guarded(
            assessment,
            Assessment.Status.SUBMITTED,
            Assessment.Status.VERIFIED,
            actor,
            assessment.area_path,
            note=note,
            also={
                "verified_at": timezone.now(),
                "verified_by": actor if actor and actor.pk else None,
                "valid_until": valid_until,
                "review_note": note,
                "corrections": [*assessment.corrections, *fixes],
                "answers": assessment.answers,
                "points": assessment.points,
                "percent": assessment.percent,
                "passed": assessment.passed,
                "rating": assessment.rating,
                "safe": assessment.safe,
            },
        )
        if fixes:
            record_audit(
                actor,
                "correct_assessment",
                assessment,
                area_path=assessment.area_path,
                before=before,
                after=assessment.audit_dict() | {"corrections": fixes},
            )


def do_return_assessment(actor: User | None, assessment: Assessment, reason: str) -> None:
    _require_verifier(actor, assessment)
    if len(reason.strip()) < 5:
        raise CriteriaRefused("reason", _("Say why the assessment is returned."))
    with transaction.atomic():
        _guarded(
            assessment,
            Assessment.Status.SUBMITTED,
            Assessment.Status.RETURNED,
            actor,
            assessment.area_path,
            note=reason.strip(),
            also={"review_note": reason.strip()},
        )


def expire_ratings(today: date | None = None) -> int:
    """Verified ratings past their validity become expired (one statement, one audit row each)."""
    day = today or clock.today()
    with transaction.atomic():
        stale = list(
            Assessment.objects.select_for_update().filter(
                status=Assessment.Status.VERIFIED, valid_until__lt=day
            )
        )
        Assessment.objects.filter(pk__in=[a.pk for a in stale]).update(
            status=Assessment.Status.EXPIRED
        )
        record_audit_many(
            None,
            "transition",
            [(a, a.area_path, {"status": "verified"}, {"status": "expired"}) for a in stale],
            note="validity ended",
        )
    return len(stale)


def do_add_evidence(
    actor: User | None, assessment: Assessment, upload: UploadedFile, criterion: str = ""
) -> Evidence:
    """Attach a photo (JPEG, PNG) or a PDF of at most 5 MB, checked by its content."""
    if not _covers(actor, ASSESS_SAFETY, assessment):
        raise CriteriaRefused("unit", _("No such unit within your scope."))
    if assessment.status not in EDITABLE:
        raise CriteriaRefused(
            "status", _("This assessment is submitted; it can no longer be changed.")
        )
    if criterion and assessment.version.parsed.criterion(criterion) is None:
        raise CriteriaRefused("criterion", _("No such criterion in this set."))
    size = upload.size or 0
    if size > EVIDENCE_MAX_BYTES:
        raise CriteriaRefused(
            "file", _("The file is %(mb).1f MB; at most 5 MB.") % {"mb": size / 1024 / 1024}
        )
    if size == 0:
        raise CriteriaRefused("file", _("The file is empty."))
    head = upload.read(16)
    upload.seek(0)
    content_type = next((t for magic, t in EVIDENCE_TYPES.items() if head.startswith(magic)), None)
    if content_type is None:
        raise CriteriaRefused("file", _("Attach a photo (JPEG or PNG) or a PDF."))
    name = (upload.name or "tep").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        evidence = Evidence(
            assessment=assessment,
            criterion=criterion,
            name=name,
            content_type=content_type,
            size=size,
            uploaded_by=actor if actor and actor.pk else None,
        )
        evidence.file.save(name, upload, save=False)
        evidence.save()
        record_audit(
            actor,
            "add_evidence",
            evidence,
            area_path=assessment.area_path,
            after={"assessment": assessment.pk, "name": name, "size": size},
        )
    return evidence


# Announcements ----------------------------------------------------------------------------------


def do_announce(
    actor: User | None,
    area: Area,
    *,
    number: str,
    signed_on: date,
    signer: str,
    issuer: str,
    valid_from: date,
    valid_until: date,
    assessments: list[Assessment],
) -> Announcement:
    """Announce the villages of verified, safe, valid assessments as safe, by a decision."""
    if not _scope(actor, ANNOUNCE_SAFE).covers(area.path):
        raise CriteriaRefused("area", _("No such area within your scope."))
    if valid_until < valid_from:
        raise CriteriaRefused("valid_until", _("The end of validity comes before its start."))
    if not assessments:
        raise CriteriaRefused("units", _("Choose at least one verified village."))
    for a in assessments:
        if a.area is None or a.area.tier != Tier.VILLAGE or not a.area_path.startswith(area.path):
            raise CriteriaRefused(
                "units", _("%(unit)s is not a village of this area.") % {"unit": a.unit_name}
            )
        if a.status != Assessment.Status.VERIFIED or not a.safe:
            raise CriteriaRefused(
                "units",
                _("%(unit)s has no verified safe rating.") % {"unit": a.unit_name},
            )
        if a.valid_until is None or a.valid_until < valid_from:
            raise CriteriaRefused(
                "units",
                _("The rating of %(unit)s ends before the announcement starts.")
                % {"unit": a.unit_name},
            )
    with transaction.atomic():
        announcement = Announcement.objects.create(
            number=number,
            signed_on=signed_on,
            signer=signer,
            issuer=issuer,
            area=area,
            area_path=area.path,
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=actor if actor and actor.pk else None,
        )
        AnnouncedUnit.objects.bulk_create(
            [
                AnnouncedUnit(
                    announcement=announcement, area=a.area, area_path=a.area_path, assessment=a
                )
                for a in assessments
                if a.area is not None
            ]
        )
        record_audit(
            actor,
            "announce_safe",
            announcement,
            area_path=area.path,
            after=announcement.audit_dict(),
        )
    return announcement


def flag_for_cases(records: list[Any]) -> int:
    """Flag for review every announced unit in force where one of these community cases falls:
    in the village (or below it), or in its commune when cases are counted by commune."""
    from vungxanh.risk.models import Setting

    flagged = 0
    for record in records:
        if record.setting != Setting.COMMUNITY:
            continue
        path = record.area.path
        units = AnnouncedUnit.objects.filter(
            Q(area_path__in=_prefixes(path)) | under(path, "area_path"),
            flagged_at=None,
            announcement__status=Announcement.Status.IN_FORCE,
            announcement__valid_from__lte=record.date,
            announcement__valid_until__gte=record.date,
        ).select_related("announcement")
        changed = list(units)
        if not changed:
            continue
        reason = _("Community case on %(day)s in %(area)s") % {
            "day": record.date.strftime("%d/%m/%Y"),
            "area": record.area.name,
        }
        AnnouncedUnit.objects.filter(pk__in=[u.pk for u in changed]).update(
            flagged_at=timezone.now(), flag_reason=reason[:300], flag_case=record
        )
        record_audit_many(
            None,
            "flag_announcement",
            [
                (u.announcement, u.area_path, None, {"unit": u.area_id, "reason": reason})
                for u in changed
            ],
        )
        flagged += len(changed)
    return flagged


def _prefixes(path: str) -> list[str]:
    """Every ancestor path of `path`, itself included: "/56/568/", "/56/568/22327/"…"""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def do_clear_flag(actor: User | None, unit: AnnouncedUnit, note: str) -> None:
    """The authority has reviewed a flagged unit and keeps it in the announcement."""
    if not _scope(actor, ANNOUNCE_SAFE).covers(unit.announcement.area_path):
        raise CriteriaRefused("area", _("No such area within your scope."))
    with transaction.atomic():
        AnnouncedUnit.objects.filter(pk=unit.pk).update(flagged_at=None)
        record_audit(
            actor,
            "review_announcement_flag",
            unit.announcement,
            area_path=unit.area_path,
            before={"flag": unit.flag_reason},
            after={"flag": None},
            note=note,
        )


# Files -----------------------------------------------------------------------------------------


def do_import_version(
    actor: User | None, cset: CriteriaSet, data: bytes, filename: str
) -> CriteriaSetVersion:
    """A set's file (XLSX or JSON, as exported) taken whole as a new draft version, or refused
    whole (`ImportRejected` naming sheet, row and field; `CriteriaRefused`)."""
    _require_editor(actor)
    document = files.import_definition(data, filename)
    if document.code != cset.code:
        raise CriteriaRefused(
            "code",
            _("This file holds the set %(file)s, not %(set)s.")
            % {"file": document.code, "set": cset.code},
        )
    return do_draft_version(
        actor,
        cset,
        definition=document.definition.model_dump(mode="json"),
        decision=document.decision,
        decision_date=document.decision_date,
        effective_from=document.effective_from,
        provenance=document.provenance,
    )
