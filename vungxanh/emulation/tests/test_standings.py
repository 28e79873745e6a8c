"""Standings: relative points within a cluster, explained line by line, reproducible at a date;
a phase review freezes them against later cases; scope of registering and organizing."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import make_user
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.emulation import actions, standings
from vungxanh.emulation.models import Registration
from vungxanh.emulation.tests.conftest import record_case


def test_points_are_relative_in_the_cluster_ties_share_a_rank_and_hand_scores_are_capped():
    criteria = [
        standings.CriterionSpec("green", "Số ngày xanh", 60, "higher", False),
        standings.CriterionSpec("fall", "Số ngày từ đỉnh về xanh", 30, "lower", False),
        standings.CriterionSpec("hand", "Cách làm hay", 10, "higher", True),
    ]
    units = [standings.Standing(i, name, str(i), "Phường") for i, name in enumerate("ABCD")]
    values = {
        0: {"green": 20, "fall": 5},
        1: {"green": 10, "fall": 15},
        2: {"green": 20, "fall": 5},
        3: {"green": None, "fall": None},
    }
    manual = {0: {"hand": (8, "Mô hình chợ an toàn")}, 1: {"hand": (12, "vượt trần")}}
    ranked = standings.rank_cluster(units, criteria, values, manual)
    assert [(s.unit, s.total, s.rank) for s in ranked] == [
        ("A", 98.0, 1),
        ("C", 90.0, 2),
        ("B", 10.0, 3),
        ("D", 0.0, 4),
    ]
    a = ranked[0]
    assert [(line.code, line.value, line.points) for line in a.lines] == [
        ("green", 20, 60.0),
        ("fall", 5, 30.0),
        ("hand", 8, 8.0),
    ]
    assert a.lines[2].note == "Mô hình chợ an toàn"
    assert ranked[2].lines[2].points == 10  # capped at the weight


def test_when_a_cluster_does_not_differ_on_a_criterion_all_get_its_weight_unless_it_is_zero():
    criteria = [
        standings.CriterionSpec("green", "Số ngày xanh", 60, "higher", False),
        standings.CriterionSpec("fall", "Số ngày từ đỉnh về xanh", 40, "lower", False),
    ]
    units = [standings.Standing(i, name, str(i), "Huyện") for i, name in enumerate("AB")]
    none_green = {0: {"green": 0, "fall": 17}, 1: {"green": 0, "fall": 17}}
    ranked = standings.rank_cluster(units, criteria, none_green, {})
    assert [(s.unit, s.total, s.rank) for s in ranked] == [("A", 40.0, 1), ("B", 40.0, 1)]
    units = [standings.Standing(i, name, str(i), "Huyện") for i, name in enumerate("AB")]
    all_green = {0: {"green": 12, "fall": 0}, 1: {"green": 12, "fall": 0}}
    assert [s.total for s in standings.rank_cluster(units, criteria, all_green, {})] == [100, 100]


@pytest.mark.django_db
def test_standings_at_a_date_are_explained_reproducible_and_frozen_by_the_review(campaign):
    made, organizer = campaign
    phase = made.phases.get()
    record_case("22327", date(2021, 8, 20), 4)

    first = standings.compute(made, phase, date(2021, 9, 5))
    again = standings.compute(made, phase, date(2021, 9, 5))
    assert standings.as_json(first) == standings.as_json(again)
    by_code = {s.unit_code: s for s in first}
    assert by_code["22333"].rank == 1 and by_code["22327"].rank == 2
    green = {s.unit_code: s.lines[0] for s in first}
    assert green["22333"].value == 22  # 15/8–5/9, always green
    assert green["22327"].value < 22 and green["22327"].points < 70

    review = actions.do_review_phase(organizer, phase, date(2021, 9, 10))
    frozen = standings.as_json(standings.from_json(review.standings))
    # a later case in the leader's ward changes the live standings, not the review
    record_case("22333", date(2021, 9, 1), 6)
    live = standings.compute(made, phase, date(2021, 9, 10))
    assert standings.as_json(live) != frozen
    shown, stored = actions.phase_standings(phase, date(2021, 9, 10))
    assert stored is not None and standings.as_json(shown) == frozen
    with pytest.raises(actions.EmulationRefused):
        actions.do_review_phase(organizer, phase)


@pytest.mark.django_db
def test_registering_is_for_the_unit_s_own_officers_and_accepting_for_the_organizer(
    campaign, personas
):
    made, organizer = campaign
    with pytest.raises(actions.EmulationRefused) as refused:
        actions.do_register(
            personas.commune_b, made, area=Area.objects.get(code="22327"), pledges=["x"]
        )
    assert refused.value.field == "unit"
    district = make_user("nhatrang", Role.AREA_OFFICER, Area.objects.get(code="568"))
    late = actions.do_register(
        district,
        made,
        area=Area.objects.get(code="568"),
        pledges=["Không để vùng đỏ"],
        on=date(2021, 8, 25),
    )
    assert late.late is True and late.status == Registration.Status.PENDING
    with pytest.raises(actions.EmulationRefused):
        actions.do_decide_registration(personas.commune_a, late, accept=True)
    actions.do_decide_registration(organizer, late, accept=False, note="Đơn vị tổ chức phong trào")
    with pytest.raises(actions.EmulationRefused) as twice:
        actions.do_decide_registration(organizer, late, accept=True)
    assert twice.value.field == "status"
