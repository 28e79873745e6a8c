"""Safety assessments and announcements for the demo province, generated (seed 2021) through the
product's actions, and labelled as such. Idempotent: a province with assessments is left as it is.

- Sets: the workplace (2194) and school (1467) sets ship as drafts that refuse publication until
  their criteria are completed from the official texts. For the demo only, the health department
  (`yte`) drafts a version 2 of each in which every criterion still to complete holds a placeholder
  marked "[Minh họa — chưa phải văn bản gốc]" (2194: CS4–CS13 scored 0–20 and CS14–CS15 0–25, CS3's
  F1/F0 at 20/30, so that the criteria add up to 300), and publishes it. Neither the wording nor
  those points are the official text's; the status of each criterion stays as it was.
- Businesses, factories and markets (2194) and schools (1467), all the generated ones: a first
  self-assessment on a day of 2–27 August, then again about a month after each verification until
  the end of October (one in five stops earlier). Businesses mostly very low or low risk, a few
  medium or high; schools mostly good, some fair, one unsafe. The unit submits (the representative
  `doanhnghiep` for its company, the demo loader for the others); Nha Trang's committee
  (`nhatrang`) or the health department (`yte`) verifies in 1–4 days, one in ten with an answer
  corrected and its reason; one in seven is returned with a reason, then fixed and verified,
  except the unit's last one, which stays returned. What is still open on 31/10 stays submitted.
- Villages of Nha Trang, in waves: two communes in early August, four on 2–4 September, four on
  10–15 September, three in October. Criteria 1, 2, 7 and 8 are answered by the product from the
  demo's teams, register, cases and levels on the day; the others drawn (yes nine times in ten).
  Officers submit in their communes (`vinhhoa`, `vinhphuoc`, `totruong` for his village), the
  loader elsewhere; `nhatrang` verifies.
- Announcements by the health department over Nha Trang's villages verified safe the days before:
  1234/QĐ-SYT on 8/9 and 1388/QĐ-SYT on 24/9, signer and issuer marked as illustrations. On 12/9
  the health department records a simulated community case (labelled so) in one village of the
  first, through the risk actions: the announcement's unit is flagged for review, and the levels
  are recomputed from that day. The announced communes have no other community case while the
  announcements are in force.
- The product's clock is set to each simulated day while the actions run; afterwards the times of
  starting, submitting and verifying are put on those days (audit rows keep the moment the demo
  was loaded). Ratings that ended before the demo's "today" (15/09/2021) are expired, as the
  daily job would have done by then.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.test.utils import override_settings
from django.utils import timezone

from vungxanh.accounts.models import User
from vungxanh.areas.models import Area, Organization, OrganizationType, Tier
from vungxanh.risk.actions import CaseInput, do_recompute_levels, do_record_cases, input_span
from vungxanh.risk.demo import END
from vungxanh.risk.models import Provenance
from vungxanh.teams.demo import DEMO_TODAY

from . import actions
from .models import Announcement, Assessment, CriteriaSet

SEED = 2021
CITY = "568"  # Nha Trang
PLACEHOLDER = "[Minh họa — chưa phải văn bản gốc]"
PLACEHOLDER_SOURCE = (
    "Nội dung và điểm do bản demo đặt để minh họa, không phải của văn bản gốc; cần thay bằng "
    "văn bản gốc trước khi dùng thật"
)
DEMO_MAXIMA = {f"CS{n}": 20.0 for n in range(4, 14)} | {"CS14": 25.0, "CS15": 25.0}
DEMO_OPTION_POINTS = {"f1": 20.0, "f0": 30.0}
LAST_START = date(2021, 10, 28)
WAITING_FROM = date(2021, 10, 25)  # assessments submitted from then on are still under review
SUBMITTERS = {"22327-001": "totruong", "22327": "vinhhoa", "22333": "vinhphuoc"}
RETURN_REASONS = [
    "Thiếu ảnh chụp minh chứng cho các nội dung tự chấm; bổ sung rồi gửi lại.",
    "Điểm tự chấm chưa khớp với biên bản kiểm tra của đoàn liên ngành; rà soát lại.",
    "Chưa có danh sách người lao động, học sinh đến từ vùng dịch kèm theo.",
    "Biên bản cam kết chưa có chữ ký của người đứng đầu; bổ sung.",
]
CORRECTION_REASON = "Kiểm tra thực tế tại đơn vị: không đúng như tự đánh giá."

Answers = dict[str, Any]
Correct = Callable[[Answers], tuple[str, Any] | None]  # the verifier's correction, if any
Fix = Callable[[Answers], Answers]  # the unit's answers once it has fixed what was returned


@dataclass(frozen=True)
class Wave:
    communes: tuple[str, ...]
    first: date
    last: date


# Villages of Nha Trang (communes chosen from the risk demo: no community case after August
# where the announcements fall, green or about to turn green when assessed).
EARLY = Wave(("22345", "22375"), date(2021, 8, 4), date(2021, 8, 12))
FIRST = Wave(("22330", "22348", "22354", "22396"), date(2021, 9, 2), date(2021, 9, 3))
SECOND = Wave(("22327", "22333", "22384", "22402"), date(2021, 9, 10), date(2021, 9, 15))
LATE = Wave(("22339", "22351", "22360"), date(2021, 10, 13), date(2021, 10, 27))
FLAG_CASE_DAY = date(2021, 9, 12)


@dataclass
class Stamps:
    """The simulated days of each assessment's submission and verification, written once the
    actions (which stamp the real time) have run."""

    assessments: dict[int, Assessment] = field(default_factory=dict)
    submitted: dict[int, date] = field(default_factory=dict)
    verified: dict[int, date] = field(default_factory=dict)

    def note(
        self, a: Assessment, *, submitted: date | None = None, verified: date | None = None
    ) -> None:
        self.assessments[a.pk] = a
        if submitted:
            self.submitted[a.pk] = submitted
        if verified:
            self.verified[a.pk] = verified

    def write(self, rng: random.Random) -> None:
        for pk, a in self.assessments.items():
            a.created_at = _moment(rng, a.assessed_on)
            if pk in self.submitted:
                a.submitted_at = _moment(rng, self.submitted[pk])
            if pk in self.verified:
                a.verified_at = _moment(rng, self.verified[pk])
                a.corrections = [c | {"at": a.verified_at.isoformat()} for c in a.corrections]
        Assessment.objects.bulk_update(
            list(self.assessments.values()),
            ["created_at", "submitted_at", "verified_at", "corrections"],
            batch_size=500,
        )


def _moment(rng: random.Random, day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59))))


@contextmanager
def _clock(day: date) -> Iterator[None]:
    """The product's "today" (vungxanh.lib.clock) on a simulated day."""
    with override_settings(VUNGXANH_TODAY=day.isoformat()):
        yield


def load_demo_assessments(province: Area) -> int:
    if Assessment.objects.filter(area_path__startswith=province.path).exists():
        return 0
    rng = random.Random(SEED)
    users = {u.username: u for u in User.objects.filter(username__in=_USERNAMES)}
    health = users["yte"]
    sets = {code: _set_in_force(health, code) for code in ("2194", "1467", "village")}
    stamps = Stamps()
    count = _organizations(rng, province, sets, users, stamps)
    count += _villages(rng, province, sets["village"], users, stamps)
    stamps.write(rng)
    actions.expire_ratings(today=DEMO_TODAY)
    return count


_USERNAMES = ["yte", "nhatrang", "doanhnghiep", *SUBMITTERS.values()]


# Sets -------------------------------------------------------------------------------------------


def _set_in_force(health: User, code: str) -> CriteriaSet:
    """The set, with a published version: a demo version 2 when the shipped one is a draft."""
    cset = CriteriaSet.objects.get(code=code)
    if cset.current() is not None:
        return cset
    draft = cset.latest()
    assert draft is not None
    version = actions.do_draft_version(
        health,
        cset,
        definition=with_placeholders(draft.definition),
        decision=f"{draft.decision} (bản minh họa cho demo)",
        decision_date=draft.decision_date,
        effective_from=draft.effective_from,
        provenance=f"{PLACEHOLDER} Phiên bản cho bản demo: các tiêu chí còn phải điền từ văn bản "
        f"gốc được điền tạm nội dung và điểm minh họa. {draft.provenance}",
    )
    actions.do_publish_version(health, version)
    return cset


def with_placeholders(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition with each criterion still to complete filled with a labelled placeholder:
    scale maxima and option points of the demo, never presented as the official text's."""
    result = copy.deepcopy(definition)
    for c in result["criteria"]:
        missing_points = (c["kind"] == "scale" and c.get("max_points") is None) or any(
            o.get("points") is None for o in c.get("options", [])
        )
        if c.get("complete", True) and not missing_points:
            continue
        if c["kind"] == "scale" and c.get("max_points") is None:
            c["max_points"] = DEMO_MAXIMA[c["number"]]
            c["text"] += f" — thang điểm minh họa 0–{c['max_points']:g}"
        for option in c.get("options", []):
            if option.get("points") is None:
                option["points"] = DEMO_OPTION_POINTS[option["key"]]
                option["label"] += " (điểm minh họa)"
        c["text"] = f"{PLACEHOLDER} {c['text']}"
        c["source"] = f"{c.get('source', '')}. {PLACEHOLDER_SOURCE}".lstrip(". ")
        c["complete"] = True
    return result


# One assessment, start to review ----------------------------------------------------------------


@dataclass
class Unit:
    cset: CriteriaSet
    submitter: User | None
    verifier: User
    area: Area | None = None
    organization: Organization | None = None


def _submit(unit: Unit, day: date, answers: dict[str, Any], stamps: Stamps) -> Assessment:
    a = actions.do_start_assessment(
        unit.submitter, unit.cset, area=unit.area, organization=unit.organization, assessed_on=day
    )
    actions.do_save_answers(unit.submitter, a, answers)
    actions.do_submit_assessment(unit.submitter, a)
    stamps.note(a, submitted=day)
    return a


def _review(
    rng: random.Random,
    unit: Unit,
    a: Assessment,
    stamps: Stamps,
    correct: Correct,
    fix: Fix,
    last: bool = False,
) -> date | None:
    """Verify (now and then correcting an answer), or return it (the unit fixes it and submits
    again, unless it is its last one); the day it was verified, if it was by the end of the
    demo's campaign."""
    day = a.assessed_on + timedelta(days=rng.randint(1, 4))
    if a.assessed_on >= WAITING_FROM or day > END:
        return None
    if rng.random() < 1 / 7:
        actions.do_return_assessment(unit.verifier, a, rng.choice(RETURN_REASONS))
        day += timedelta(days=rng.randint(2, 5))
        if last or day > END:
            return None
        actions.do_save_answers(unit.submitter, a, fix(a.answers))
        actions.do_submit_assessment(unit.submitter, a)
        stamps.note(a, submitted=day)
        day += timedelta(days=rng.randint(1, 3))
        if day > END:
            return None
    corrections = []
    if rng.random() < 0.1 and (change := correct(a.answers)) is not None:
        corrections = [actions.Correction(change[0], change[1], CORRECTION_REASON)]
    with _clock(day):
        actions.do_verify_assessment(
            unit.verifier, a, note="Đã kiểm tra hồ sơ (demo).", corrections=corrections
        )
    stamps.note(a, verified=day)
    return day


# Businesses and schools -------------------------------------------------------------------------


BUSINESS_TYPES = actions.ORGANIZATION_TARGETS["business"]
# Risk profiles of 2194 (points are risk): how likely, and what share of each scale's maximum
# the business scores (very low, low, medium, high).
PROFILES = [(0.5, (0.0, 0.1)), (0.33, (0.14, 0.26)), (0.12, (0.33, 0.45)), (0.05, (0.62, 0.85))]


def _organizations(
    rng: random.Random,
    province: Area,
    sets: dict[str, CriteriaSet],
    users: dict[str, User],
    stamps: Stamps,
) -> int:
    orgs = list(
        Organization.objects.filter(
            area__path__startswith=province.path,
            is_generated=True,
            type__in=[*BUSINESS_TYPES, OrganizationType.SCHOOL],
        )
        .select_related("area")
        .order_by("code")
    )
    schools = [o for o in orgs if o.type == OrganizationType.SCHOOL]
    unsafe_school = rng.choice(schools).pk if schools else None
    rep_of = {"DN-568-01": users["doanhnghiep"]}
    workplace = sets["2194"].current()
    assert workplace is not None
    scales = {c.number: c.max_points or 0 for c in workplace.parsed.criteria if c.kind == "scale"}
    count = 0
    for org in orgs:
        in_city = org.area.path.startswith(f"{province.path}{CITY}/")
        unit = Unit(
            cset=sets["1467" if org.type == OrganizationType.SCHOOL else "2194"],
            submitter=rep_of.get(org.code),
            verifier=users["nhatrang" if in_city else "yte"],
            organization=org,
        )
        if org.type == OrganizationType.SCHOOL:
            school = _School(rng, unsafe=org.pk == unsafe_school)
            count += _rounds(rng, unit, stamps, school.answers, school.correct, school.fix)
        else:
            business = _Business(rng, scales, org.type)
            count += _rounds(rng, unit, stamps, business.answers, business.correct, business.fix)
    return count


def _rounds(
    rng: random.Random,
    unit: Unit,
    stamps: Stamps,
    answers: Callable[[], Answers],
    correct: Correct,
    fix: Fix,
) -> int:
    """Self-assessments from a day of August, each again when the last rating is about to end
    (a rating lasts 30 days), until the end of October."""
    day = date(2021, 8, 2) + timedelta(days=rng.randint(0, 25))
    count = 0
    while day <= LAST_START:
        a = _submit(unit, day, answers(), stamps)
        count += 1
        last = day + timedelta(days=32) > LAST_START or rng.random() < 0.2
        verified = _review(rng, unit, a, stamps, correct, fix, last=last)
        if verified is None or last:
            break
        day = verified + timedelta(days=rng.randint(24, 30))
    return count


class _Business:
    """Answers to 2194 for one business: its size and a risk profile that tends to improve."""

    def __init__(self, rng: random.Random, scales: dict[str, float], kind: str) -> None:
        self.rng = rng
        self.scales = scales
        low, high = {"factory": (150, 1200), "market": (30, 300)}.get(kind, (15, 180))
        self.workers = rng.randint(low, high)
        self.profile = _pick(rng, [p for p, _ in PROFILES])

    def answers(self) -> dict[str, Any]:
        rng = self.rng
        lo, hi = PROFILES[self.profile][1]
        answers: dict[str, Any] = {
            "CS1": self.workers,
            "CS2": 0.8 if rng.random() < 0.05 else round(rng.uniform(1.5, 8), 1),
            "CS3": _pick_key(rng, {"none": 0.8, "f2": 0.15, "f1": 0.05}),
        }
        for number, top in self.scales.items():
            answers[number] = round(top * rng.uniform(lo, hi))
        if self.profile and rng.random() < 0.5:
            self.profile -= 1  # the next round, better
        return answers

    def correct(self, answers: dict[str, Any]) -> tuple[str, Any] | None:
        number = self.rng.choice(sorted(self.scales))
        return number, min(self.scales[number], answers.get(number, 0) + 3)

    def fix(self, answers: dict[str, Any]) -> dict[str, Any]:
        worst = max(self.scales, key=lambda n: answers.get(n, 0))
        return answers | {worst: max(0, answers.get(worst, 0) - 4)}


SCHOOL_MUST_PASS = ("4", "5", "10", "11")
SCHOOL_OTHERS = [str(n) for n in range(1, 16) if str(n) not in SCHOOL_MUST_PASS]


class _School:
    """Answers to 1467 for one school: mostly good, some fair, and (once) one unsafe."""

    def __init__(self, rng: random.Random, unsafe: bool) -> None:
        self.rng = rng
        self.unsafe = unsafe
        self.fair = rng.random() < 0.2

    def answers(self) -> dict[str, Any]:
        rng = self.rng
        failed = set(
            rng.sample(SCHOOL_OTHERS, rng.randint(5, 7) if self.fair else rng.randint(0, 3))
        )
        if self.unsafe:
            failed = {"5", *rng.sample(SCHOOL_OTHERS, 2)}
            self.unsafe, self.fair = False, True  # closed, then it fixed what failed
        elif self.fair and rng.random() < 0.5:
            self.fair = False
        return {str(n): str(n) not in failed for n in range(1, 16)}

    def correct(self, answers: dict[str, Any]) -> tuple[str, Any] | None:
        passed = [n for n in SCHOOL_OTHERS if answers.get(n)]
        if len(passed) + len(SCHOOL_MUST_PASS) < 12:
            return None  # a correction here could make a second unsafe school
        return self.rng.choice(passed), False

    def fix(self, answers: dict[str, Any]) -> dict[str, Any]:
        failed = [n for n, ok in answers.items() if not ok]
        return answers | ({self.rng.choice(failed): True} if failed else {})


def _pick(rng: random.Random, weights: list[float]) -> int:
    return rng.choices(range(len(weights)), weights=weights)[0]


def _pick_key(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# Villages and announcements ---------------------------------------------------------------------


VILLAGE_DRAWN = ("3", "4", "5", "6")


def _villages(
    rng: random.Random,
    province: Area,
    cset: CriteriaSet,
    users: dict[str, User],
    stamps: Stamps,
) -> int:
    health, city = users["yte"], Area.objects.get(code=CITY)
    done: dict[Wave, list[Assessment]] = {}
    for wave in (EARLY, FIRST):
        done[wave] = _village_wave(rng, wave, cset, users, stamps)
    first = _announce(health, city, "1234/QĐ-SYT", date(2021, 9, 8), done[FIRST], stamps)
    _case_after(health, province, rng, first)
    for wave in (SECOND, LATE):
        done[wave] = _village_wave(rng, wave, cset, users, stamps)
    _announce(health, city, "1388/QĐ-SYT", date(2021, 9, 24), done[SECOND], stamps)
    return sum(len(assessments) for assessments in done.values())


def _village_wave(
    rng: random.Random, wave: Wave, cset: CriteriaSet, users: dict[str, User], stamps: Stamps
) -> list[Assessment]:
    assessments = []
    for village in _villages_of(wave.communes):
        unit = Unit(cset, _submitter(users, village), users["nhatrang"], area=village)
        day = wave.first + timedelta(days=rng.randint(0, (wave.last - wave.first).days))
        a = _submit(unit, day, _village_answers(rng), stamps)
        _review(rng, unit, a, stamps, _village_correct(rng), _village_fix, last=wave is LATE)
        assessments.append(a)
    return assessments


def _villages_of(communes: tuple[str, ...]) -> list[Area]:
    return list(
        Area.objects.of_tier(Tier.VILLAGE)
        .filter(parent__code__in=communes)
        .select_related("parent")
        .order_by("path")
    )


def _submitter(users: dict[str, User], village: Area) -> User | None:
    assert village.parent is not None
    name = SUBMITTERS.get(village.code) or SUBMITTERS.get(village.parent.code)
    return users.get(name) if name else None


def _village_answers(rng: random.Random) -> dict[str, Any]:
    return {n: rng.random() < 0.9 for n in VILLAGE_DRAWN}


def _village_correct(rng: random.Random) -> Correct:
    def correct(answers: dict[str, Any]) -> tuple[str, Any] | None:
        yes = [n for n in VILLAGE_DRAWN if answers.get(n)]
        return (rng.choice(yes), False) if yes else None

    return correct


def _village_fix(answers: dict[str, Any]) -> dict[str, Any]:
    return answers | {n: True for n in VILLAGE_DRAWN}


def _announce(
    health: User,
    city: Area,
    number: str,
    day: date,
    assessed: list[Assessment],
    stamps: Stamps,
) -> Announcement | None:
    """The health department announces the villages verified safe before `day`, until the
    first of their ratings ends."""
    units = []
    for a in assessed:
        verified = stamps.verified.get(a.pk)
        if a.status == Assessment.Status.VERIFIED and a.safe and verified and verified < day:
            units.append(a)
    if not units:
        return None
    return actions.do_announce(
        health,
        city,
        number=number,
        signed_on=day,
        signer="Phó Giám đốc Sở Y tế (minh họa)",
        issuer="Sở Y tế tỉnh Khánh Hòa — quyết định minh họa của bản demo, không phải văn bản thật",
        valid_from=day,
        valid_until=min(a.valid_until for a in units if a.valid_until),
        assessments=units,
    )


def _case_after(
    health: User, province: Area, rng: random.Random, announcement: Announcement | None
) -> None:
    """A simulated community case in one announced village after the announcement: recorded as
    cases are, so the announcement's unit is flagged; levels recomputed from that day."""
    if announcement is None:
        return
    unit = rng.choice(list(announcement.units.select_related("area")))
    do_record_cases(
        health,
        [
            CaseInput(
                area=unit.area,
                date=FLAG_CASE_DAY,
                note="Ca mô phỏng của bản demo: ca cộng đồng trong thôn đã công bố an toàn",
            )
        ],
        provenance=Provenance.SIMULATED,
        recompute=False,
    )
    span = input_span(province)
    assert span is not None
    do_recompute_levels([province], date_from=FLAG_CASE_DAY, date_to=span[1])
