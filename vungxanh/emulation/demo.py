"""The demo's emulation campaign, generated through the product's actions (seed 2021).

Ninh Thuận's plan "thi đua bảo vệ Vùng xanh" (seed 002), run over the demo province's areas as an
illustration: the facts are the plan's (goal: the whole map green by 10/9/2021; phase 1 reviewed on
10/9/2021, phase 2 to 31/12/2021; dossiers to the provincial emulation office before 08/9 and
20/12; the chairman's certificate for collectives that brought their level down fast and for
exemplary individuals); the number, the start of phase 1, the registration deadline, the clusters,
the weights and the hand scores are the demo's, and the campaign says so.

- Organizer: the provincial emulation office (`thidua`).
- Participants: Nha Trang's wards and communes (two clusters) and the province's districts (a
  third). They register between 26/8 and 02/9 with pledges; the deadline is 31/8, so the last
  ones are late: one is accepted with a note, one still waits for the organizer.
- Scoring: days green in the phase, days from the peak to green, team coverage, share of villages
  rated safe (read from the demo's levels, teams and assessments), and "good practice" scored by
  hand with a note for a few units.
- Phase 1 is reviewed on 10/9: its standings are frozen. Phase 2 is live on the demo's day.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from vungxanh.accounts.models import User
from vungxanh.areas.models import Area, AreaType

from . import actions
from .models import Campaign, Cluster, PhaseReview, Registration

SEED = 2021
CODE = "bao-ve-vung-xanh"
CITY = "568"  # Nha Trang
PHASE_1 = actions.PhaseSpec(
    "Đợt 1",
    starts_on=date(2021, 8, 25),
    ends_on=date(2021, 9, 10),
    review_on=date(2021, 9, 10),
    dossier_deadline=date(2021, 9, 8),
)
PHASE_2 = actions.PhaseSpec(
    "Đợt 2",
    starts_on=date(2021, 9, 10),
    ends_on=date(2021, 12, 31),
    review_on=date(2021, 12, 31),
    dossier_deadline=date(2021, 12, 20),
)
CRITERIA = [
    actions.CriterionSpec("xanh", "Số ngày ở mức xanh trong đợt", 40, "days_green"),
    actions.CriterionSpec(
        "dinh_ve_xanh", "Số ngày từ mức cao nhất về mức xanh", 25, "days_peak_to_green"
    ),
    actions.CriterionSpec(
        "to_tu_quan", "Tỷ lệ thôn, tổ dân phố có Tổ tự quản hoạt động", 15, "team_coverage"
    ),
    actions.CriterionSpec(
        "an_toan", "Tỷ lệ thôn, tổ dân phố được công nhận an toàn", 10, "verified_safe_share"
    ),
    actions.CriterionSpec("sang_tao", "Giải pháp sáng tạo, cách làm hay", 10),
]
WARDS, COMMUNES, DISTRICTS = (
    "Phường nội thành Nha Trang",
    "Xã ngoại thành Nha Trang",
    "Huyện, thị xã, thành phố",
)
PLEDGES = [
    "Xanh hóa toàn địa bàn trước ngày 10/9/2021",
    "100% thôn, tổ dân phố có Tổ tự quản hoạt động",
    "Không để phát sinh ca F0 mới trong cộng đồng",
    "100% hộ gia đình ký cam kết thực hiện quy định phòng, chống dịch",
    "Rà soát, quản lý 100% người về từ vùng dịch",
]
PRACTICES = [
    "Mô hình “Chợ an toàn” với phiếu đi chợ theo ngày chẵn, lẻ",
    "Tổ tự quản trực chốt 24/24 tại các lối vào tổ dân phố",
    "Bản đồ người về từ vùng dịch cập nhật hằng ngày cho từng tổ",
    "Đi chợ hộ người già, người neo đơn trong thời gian giãn cách",
    "Nhóm Zalo của tổ tự quản tiếp nhận tin báo của người dân",
]
REGISTRATION_DEADLINE = date(2021, 8, 31)


def load_demo_campaign(province: Area) -> Campaign | None:
    """The campaign over `province`, once (a province with it is left as it is)."""
    if Campaign.objects.filter(code=CODE).exists():
        return None
    rng = random.Random(SEED)
    organizer = User.objects.get(username="thidua")
    campaign = actions.do_create_campaign(
        organizer,
        province,
        code=CODE,
        name="Thi đua bảo vệ “Vùng xanh” trong phòng, chống dịch COVID-19",
        plan_number="Minh họa/KH-UBND",
        plan_date=date(2021, 8, 25),
        plan_issuer=(
            "Ủy ban nhân dân tỉnh (minh họa theo Kế hoạch phát động của UBND tỉnh Ninh Thuận, 2021)"
        ),
        phases=[PHASE_1, PHASE_2],
        criteria=CRITERIA,
        clusters=[WARDS, COMMUNES, DISTRICTS],
        participant_kinds=["district", "commune"],
        goal=(
            "Xanh hóa toàn bản đồ của tỉnh trước ngày 10/9/2021: kéo giảm cấp độ màu từ nguy cơ "
            "rất cao về bình thường mới trong thời gian ngắn nhất, giữ vững “Vùng xanh” đến hết "
            "năm 2021."
        ),
        target_date=date(2021, 9, 10),
        registration_deadline=REGISTRATION_DEADLINE,
    )
    clusters = {c.name: c for c in Cluster.objects.filter(campaign=campaign)}
    officers = {
        "22327": User.objects.get(username="vinhhoa"),
        "22333": User.objects.get(username="vinhphuoc"),
    }
    city = Area.objects.get(code=CITY)
    units = [
        (a, WARDS if a.type == AreaType.WARD else COMMUNES)
        for a in Area.objects.filter(parent=city).order_by("code")
    ]
    units += [(d, DISTRICTS) for d in Area.objects.filter(parent=province).order_by("code")]
    late_waiting = units[-1][0].code  # the last district still waits for the organizer
    for n, (area, cluster) in enumerate(units):
        day = date(2021, 8, 26) + timedelta(days=min(n // 5, 7))
        if area.code == late_waiting:
            day = date(2021, 9, 2)
        registration = actions.do_register(
            officers.get(area.code),
            campaign,
            area=area,
            pledges=rng.sample(PLEDGES, 3),
            on=day,
        )
        if area.code == late_waiting:
            continue
        note = "Đăng ký sau hạn do đang phong tỏa; chấp nhận" if registration.late else ""
        actions.do_decide_registration(
            organizer, registration, accept=True, cluster=clusters[cluster], note=note
        )
    phase_1, _phase_2 = list(campaign.phases.order_by("number"))
    manual = campaign.criteria.get(code="sang_tao")
    accepted = list(
        Registration.objects.filter(campaign=campaign, status=Registration.Status.ACCEPTED)
        .select_related("campaign")
        .order_by("area_path")
    )
    for registration in rng.sample(accepted, 8):
        actions.do_score_by_hand(
            organizer,
            registration,
            manual,
            phase_1,
            points=float(rng.choice([6, 7, 8, 9, 10])),
            note=rng.choice(PRACTICES),
        )
    review = actions.do_review_phase(organizer, phase_1, PHASE_1.review_on)
    reviewed_at = timezone.make_aware(datetime.combine(PHASE_1.review_on, time(16, 0)))
    PhaseReview.objects.filter(pk=review.pk).update(reviewed_at=reviewed_at)
    return campaign
