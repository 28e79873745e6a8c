"""Teams and a register for the demo province, generated (seed 2021) and labelled as such.

- Deadline: every village has a team by 10/08/2021 (Khánh Hòa's plan).
- Teams: one per village, founded 25/07–09/08/2021, 5–8 members; in four communes of the
  mountain districts they are late (12–25/08) and a few villages have none.
- Register: for each simulated community case of the demo (risk/demo.py), two F1 contacts in a
  village of the same commune from the case's day; returnees from Hồ Chí Minh City, Bình Dương
  and Đồng Nai, about 15 a day in August. Entries whose period ended before the demo's "today"
  are closed (mostly completed; a few moved away or absconded, with the police alerted).
  Checks: every day of the last fortnight before "today" for open entries (one in twelve
  missed, so that late checks show); older checks are not generated.
All people are invented: names from common Vietnamese names, ID numbers and phones generated.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from vungxanh.areas.models import Area, Tier
from vungxanh.risk.models import CaseRecord, Provenance

from .models import (
    Alert,
    Check,
    Commitment,
    FoundingDeadline,
    Member,
    MonitoringRule,
    Person,
    RegisterEntry,
    Team,
)

SEED = 2021
DEMO_TODAY = date(2021, 9, 15)
DEADLINE = date(2021, 8, 10)
LATE_COMMUNES = 4
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Đức", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Phúc",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Trung",
    "Tuấn",
    "Vy",
    "Yến",
]
ROLES = [
    "leader",
    "front",
    "veterans",
    "youth_union",
    "womens_union",
    "militia",
    "police",
    "health_worker",
]
ORIGINS = ["TP. Hồ Chí Minh", "Bình Dương", "Đồng Nai", "Long An"]


def load_demo_register(province: Area) -> int:
    if Team.objects.filter(area_path__startswith=province.path).exists():
        return 0
    rng = random.Random(SEED)
    with transaction.atomic():
        FoundingDeadline.objects.create(
            area=province,
            deadline=DEADLINE,
            source="Kế hoạch của tỉnh: thành lập tổ tự quản ở tất cả thôn, tổ dân phố trước "
            "10/8/2021",
        )
        villages = list(
            Area.objects.subtree(province)
            .of_tier(Tier.VILLAGE)
            .select_related("parent", "parent__parent")
            .order_by("path")
        )
        _teams(rng, villages)
        entries = _register(rng, province, villages)
        _checks_and_outcomes(rng, entries)
        _commitments(rng, villages)
    return len(entries)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _phone(rng: random.Random) -> str:
    return rng.choice(["090", "091", "093", "097", "098", "035", "038"]) + (
        f"{rng.randrange(10**7):07d}"
    )


def _teams(rng: random.Random, villages: list[Area]) -> None:
    mountain = [
        v.parent.pk
        for v in villages
        if v.parent and v.parent.parent and v.parent.parent.code in {"575", "576"}
    ]  # Khánh Vĩnh, Khánh Sơn
    late = set(sorted(set(mountain))[:LATE_COMMUNES])
    teams, members = [], []
    for village in villages:
        if village.parent_id in late:
            if rng.random() < 0.3:
                continue  # no team yet
            founded = DEADLINE + timedelta(days=rng.randint(2, 15))
        else:
            founded = date(2021, 7, 25) + timedelta(days=rng.randint(0, 15))
        teams.append(
            Team(
                village=village,
                area_path=village.path,
                name=f"Tổ tự quản {village.name}",
                founded_on=founded,
                decision_number=f"{rng.randint(10, 250)}/QĐ-UBND",
            )
        )
    Team.objects.bulk_create(teams, batch_size=1000)
    for team in Team.objects.filter(pk__in=[t.pk for t in teams]):
        for role in ROLES[: rng.randint(5, 8)]:
            members.append(Member(team=team, full_name=_name(rng), role=role, phone=_phone(rng)))
    Member.objects.bulk_create(members, batch_size=2000)


def _register(rng: random.Random, province: Area, villages: list[Area]) -> list[RegisterEntry]:
    rules = {
        r.category: r
        for r in MonitoringRule.objects.filter(code__in=["f1-2021-07", "returnee-2021-07"])
    }
    by_commune: dict[int, list[Area]] = {}
    for v in villages:
        by_commune.setdefault(v.parent_id or 0, []).append(v)
    plans: list[tuple[Area, str, date, str]] = []
    cases = CaseRecord.objects.filter(
        area__path__startswith=province.path,
        provenance=Provenance.SIMULATED,
        setting="community",
        date__lte=DEMO_TODAY,
    ).values_list("area_id", "date", "count")
    for commune_id, day, count in cases:
        for _ in range(2 * count):
            plans.append((rng.choice(by_commune.get(commune_id) or villages), "f1", day, ""))
    day = date(2021, 8, 1)
    while day <= DEMO_TODAY:
        for _ in range(rng.randint(8, 20) if day.month == 8 else rng.randint(2, 6)):
            plans.append((rng.choice(villages), "returnee", day, rng.choice(ORIGINS)))
        day += timedelta(days=1)
    people = [
        Person(
            full_name=_name(rng),
            birth_year=rng.randint(1945, 2015),
            sex=rng.choice("mf"),
            id_number=f"056{rng.randint(0, 3)}{rng.randint(45, 99):02d}{i:06d}",
            phone=_phone(rng),
            village=village,
            address="dữ liệu mô phỏng",
        )
        for i, (village, *_rest) in enumerate(plans)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    entries = [
        RegisterEntry(
            person=person,
            village=village,
            area_path=village.path,
            category=category,
            origin=origin,
            arrival_date=start if category == "returnee" else None,
            rule=rules[category],
            start_date=start,
            end_date=rules[category].end_date(start),
        )
        for person, (village, category, start, origin) in zip(people, plans, strict=True)
    ]
    RegisterEntry.objects.bulk_create(entries, batch_size=2000)
    return entries


def _checks_and_outcomes(rng: random.Random, entries: list[RegisterEntry]) -> None:
    checks, alerts, closed = [], [], []
    for entry in entries:
        last = min(entry.end_date, DEMO_TODAY - timedelta(days=1))
        day = max(entry.start_date, DEMO_TODAY - timedelta(days=14))
        while entry.end_date >= DEMO_TODAY and day <= last:
            if rng.random() > 1 / 12:
                checks.append(Check(entry=entry, date=day, temperature=36.5, at_home=True))
            day += timedelta(days=1)
        if entry.end_date < DEMO_TODAY:
            entry.status = RegisterEntry.Status.CLOSED
            entry.closed_on = entry.end_date
            roll = rng.random()
            entry.outcome = (
                "absconded" if roll < 0.005 else "moved_away" if roll < 0.02 else "completed"
            )
            closed.append(entry)
            if entry.outcome == "absconded":
                alerts.append(Alert(entry=entry, area_path=entry.area_path))
    Check.objects.bulk_create(checks, batch_size=5000)
    RegisterEntry.objects.bulk_update(closed, ["status", "closed_on", "outcome"], batch_size=2000)
    Alert.objects.bulk_create(alerts)


def _commitments(rng: random.Random, villages: list[Area]) -> None:
    rows = []
    for village in villages:
        for _ in range(rng.randint(3, 10)):
            rows.append(
                Commitment(
                    area=village,
                    area_path=village.path,
                    signer_kind="household",
                    signer_name=f"Hộ {_name(rng)}",
                    text="Cam kết thực hiện 5K, khai báo y tế, không tụ tập",
                    signed_on=date(2021, 8, 1) + timedelta(days=rng.randint(0, 20)),
                    witness="Tổ trưởng tổ tự quản",
                )
            )
    Commitment.objects.bulk_create(rows, batch_size=5000)
