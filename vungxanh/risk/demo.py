"""Cases and coverage for the demo province, real where the figures exist, simulated by a stated
rule where they do not. Idempotent: a province that has cases is left as it is.

Real: the commune-level cases of 27/4–13/7/2021 (data/commune_cases_…csv, a volunteer map's
announced cases; setting and source unknown, stored as community, source known).

Simulated, 1/8–31/10/2021, labelled so on every row: each day's provincial total of the Ministry
of Health's series (data/province_daily_cases_moh.csv) is split
- by setting: the community share falls linearly from 50% (1/8) to 20% (31/10), the rest found in
  quarantine or lockdown;
- over communes: a multinomial draw (seed 2021) with weights population × heat^(1 + day/30), where
  heat is a seeded log-normal draw, tripled for communes of the provincial city and for those with
  real cases in June–July: the outbreak concentrates over time, so the map turns green;
- by source: unknown for 20% of community cases on 1/8, falling to 5% by 31/10; 2% of community
  cases arise in a high-contact setting.
Coverage (18+ first dose) rises per commune from 15–35% on 1/8 to 88–99% on 31/10, weekly; the
provincial city's communes lack treatment capacity in August.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from vungxanh.areas.models import Area, Tier

from .models import CaseRecord, Coverage, Provenance

DATA = Path(__file__).parent / "data"
START, END = date(2021, 8, 1), date(2021, 10, 31)
SEED = 2021
SIMULATED_NOTE = "mô phỏng từ số ca cấp tỉnh của Bộ Y tế (quy tắc: vungxanh/risk/demo.py)"
REAL_NOTE = "số ca công bố theo xã, 27/4–13/7/2021"


def load_demo_cases(province: Area, city_code: str = "568") -> int:
    if CaseRecord.objects.filter(area__path__startswith=province.path).exists():
        return 0
    communes = list(
        Area.objects.subtree(province)
        .of_tier(Tier.COMMUNE)
        .select_related("parent")
        .order_by("code")
    )
    records = _real_cases(province, {c.code: c for c in communes})
    records += _simulated_cases(province, communes, city_code, {r.area.code for r in records})
    CaseRecord.objects.bulk_create(records, batch_size=2000)
    Coverage.objects.bulk_create(_coverage(communes, city_code), batch_size=2000)
    return len(records)


def _real_cases(province: Area, communes: dict[str, Area]) -> list[CaseRecord]:
    path = DATA / "commune_cases_seed_provinces_2021-04-27_to_2021-07-13.csv"
    records = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["commune_code"].zfill(5)
            if row["province_code"].zfill(2) != province.code or code not in communes:
                continue
            records.append(
                CaseRecord(
                    area=communes[code],
                    date=date.fromisoformat(row["date"]),
                    count=int(row["new_cases"]),
                    provenance=Provenance.REAL,
                    note=REAL_NOTE,
                )
            )
    return records


def provincial_series(province_code: str) -> dict[date, int]:
    with (DATA / "province_daily_cases_moh.csv").open(encoding="utf-8") as f:
        return {
            date.fromisoformat(r["date"]): int(r["new_cases"])
            for r in csv.DictReader(f)
            if r["province_code"].zfill(2) == province_code
        }


def _simulated_cases(
    province: Area, communes: list[Area], city_code: str, hot_codes: set[str]
) -> list[CaseRecord]:
    rng = np.random.default_rng(SEED)
    series = provincial_series(province.code)
    population = np.array([c.population or 1 for c in communes], dtype=float)
    heat = rng.lognormal(0.0, 1.0, len(communes))
    heat *= np.array(
        [
            3.0 if (c.parent and c.parent.code == city_code) or c.code in hot_codes else 1.0
            for c in communes
        ]
    )
    span = (END - START).days
    records: list[CaseRecord] = []
    for d in range(span + 1):
        day = START + timedelta(days=d)
        total = series.get(day, 0)
        progress = d / span
        community = rng.binomial(total, 0.5 - 0.3 * progress)
        weights = population * heat ** (1 + d / 30)
        per_commune = rng.multinomial(community, weights / weights.sum())
        for i in np.flatnonzero(per_commune):
            n = int(per_commune[i])
            unknown = int(rng.binomial(n, 0.20 - 0.15 * progress))
            high = int(rng.binomial(n - unknown, 0.02))
            for count, known, high_contact in (
                (n - unknown - high, True, False),
                (unknown, False, False),
                (high, True, True),
            ):
                if count:
                    records.append(
                        CaseRecord(
                            area=communes[i],
                            date=day,
                            count=count,
                            source_known=known,
                            high_contact=high_contact,
                            provenance=Provenance.SIMULATED,
                            note=SIMULATED_NOTE,
                        )
                    )
        elsewhere = total - community
        if elsewhere:
            pick = int(rng.choice(len(communes), p=weights / weights.sum()))
            setting = "quarantine" if rng.random() < 0.7 else "lockdown"
            records.append(
                CaseRecord(
                    area=communes[pick],
                    date=day,
                    count=elsewhere,
                    setting=setting,
                    provenance=Provenance.SIMULATED,
                    note=SIMULATED_NOTE,
                )
            )
    return records


def _coverage(communes: list[Area], city_code: str) -> list[Coverage]:
    rng = np.random.default_rng(SEED + 1)
    rows = []
    weeks = (END - START).days // 7 + 1
    for commune in communes:
        first, last = rng.uniform(15, 35), rng.uniform(88, 99)
        in_city = commune.parent is not None and commune.parent.code == city_code
        for w in range(weeks):
            day = START + timedelta(days=7 * w)
            pct = first + (last - first) * min(1.0, w / (weeks - 1)) ** 0.8
            rows.append(
                Coverage(
                    area=commune,
                    date=day,
                    first_dose_18_pct=round(pct, 1),
                    treatment_ok=not (in_city and day < date(2021, 9, 1)),
                    provenance=Provenance.SIMULATED,
                )
            )
    return rows
