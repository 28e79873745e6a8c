"""The demo's dossiers for the emulation campaign's first phase, sent and reviewed through the
product's actions, so that every step of the chain has something on it on the demo's day (15/9).

Nominees are the leaders of the frozen phase-1 standings (their standing is the evidence); the
people nominated, the signers and the decision numbers are made up for the demo and labelled so.
All dossiers ask for the provincial chairman's certificate (Bằng khen của Chủ tịch UBND tỉnh):
commune dossiers go through Nha Trang's committee (`nhatrang`), then the province's standing agency
(`tinh`), the emulation office (`thidua`) and the chairman (`chutich`).

- decided: the first ward of the wards' cluster (sent 06/9, decision on 09/9, presented 12/9), and
  Nha Trang's own dossier for the first commune of the communes' cluster (sent 07/9, decided 09/9);
- waiting for the emulation office, for the standing agency, and (late: sent on 08/9, the
  deadline being "before 08/9") for Nha Trang, which has to accept it as late explicitly;
- returned by the standing agency with its reasons;
- a draft of Phường Vĩnh Hòa for phase 2.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from vungxanh.accounts.models import User
from vungxanh.areas.models import Area
from vungxanh.emulation import demo as emulation_demo
from vungxanh.emulation import standings
from vungxanh.emulation.models import Campaign, Phase, PhaseReview

from . import actions, queries
from .models import AwardForm, Dossier, Nomination, ReviewStep

FORM = "BK_UBND_TINH"
ILLUSTRATION = "(minh họa)"
PEOPLE = [
    ("Nguyễn Văn Hùng", "Tổ trưởng Tổ tự quản"),
    ("Trần Thị Mai", "Cán bộ y tế phường"),
    ("Lê Văn Dũng", "Chỉ huy trưởng Ban Chỉ huy quân sự"),
    ("Phạm Thị Lan", "Chủ tịch Hội Liên hiệp Phụ nữ"),
    ("Võ Minh Tuấn", "Bí thư Đoàn Thanh niên"),
    ("Hoàng Văn Sơn", "Trưởng Công an"),
    ("Đặng Thị Hồng", "Tổ phó Tổ tự quản"),
]


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 30)))


def load_demo_dossiers(province: Area) -> int:
    campaign = Campaign.objects.filter(code=emulation_demo.CODE).first()
    if campaign is None or Dossier.objects.filter(campaign=campaign).exists():
        return 0
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["vinhhoa", "nhatrang", "tinh", "thidua", "chutich"]
        )
    }
    phase_1, phase_2 = list(campaign.phases.order_by("number"))
    review = PhaseReview.objects.get(phase=phase_1)
    ranked = sorted(standings.from_json(review.standings), key=lambda s: (s.cluster, s.rank))
    leaders = {
        cluster: [s.unit_code for s in ranked if s.cluster == cluster]
        for cluster in (emulation_demo.WARDS, emulation_demo.COMMUNES)
    }
    wards, communes = leaders[emulation_demo.WARDS], leaders[emulation_demo.COMMUNES]
    city = Area.objects.get(code=emulation_demo.CITY)
    people = iter(PEOPLE)
    made: list[Dossier] = []

    def dossier(
        issuer: Area, nominees: list[str], actor: User | None, phase: Phase = phase_1
    ) -> Dossier:
        item = actions.do_create_dossier(
            actor,
            award_form=AwardForm.objects.get(code=FORM),
            title=(
                "Về việc đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh cho tập thể, cá nhân có "
                "thành tích trong phong trào thi đua bảo vệ “Vùng xanh”"
            ),
            signer_title="CHỦ TỊCH",
            signer_name=f"Người ký {ILLUSTRATION}",
            issuer_abbr="UBND",
            issuer_area=issuer,
            campaign=campaign,
            phase=phase,
            body=(
                "Thực hiện Kế hoạch phát động phong trào thi đua bảo vệ “Vùng xanh”, đơn vị đã "
                "kéo giảm cấp độ dịch về mức bình thường mới và giữ vững “Vùng xanh”. "
                f"Hồ sơ của bản demo {ILLUSTRATION}."
            ),
        )
        for code in nominees:
            unit = Area.objects.get(code=code)
            actions.do_nominate(
                actor,
                item,
                kind=Nomination.Kind.COLLECTIVE,
                nominee_name=f"Tập thể Nhân dân và cán bộ {unit.name}",
                nominee_area=unit,
                summary=(
                    f"{unit.name} kéo giảm cấp độ dịch từ nguy cơ về mức bình thường mới trong "
                    "đợt 1, không để lây lan ra cộng đồng; 100% thôn, tổ dân phố có Tổ tự quản."
                ),
                evidence=queries.nominee_evidence(item, unit),
            )
        name, position = next(people)
        actions.do_nominate(
            actor,
            item,
            kind=Nomination.Kind.INDIVIDUAL,
            nominee_name=f"{name} {ILLUSTRATION}",
            position=f"{position}, {issuer.name}",
            summary=(
                "Tham gia tích cực, hiệu quả, điển hình trong công tác phòng, chống dịch: trực "
                "chốt, rà soát người về từ vùng dịch, vận động Nhân dân ký cam kết."
            ),
        )
        made.append(item)
        return item

    def act(item: Dossier, who: str, day: date, note: str = "", late: bool = False) -> None:
        step = item.current_step()
        assert step is not None
        actions.do_accept_step(users[who], step, note, accept_late=late)
        ReviewStep.objects.filter(pk=step.pk).update(acted_at=_at(day))

    def decide(item: Dossier, number: str, day: date) -> None:
        decision = actions.do_decide(
            users["chutich"],
            item,
            number=number,
            signed_on=day,
            signer=f"Chủ tịch UBND tỉnh {ILLUSTRATION}",
            nominations=list(item.nominations.all()),
        )
        ReviewStep.objects.filter(dossier=item, kind="chairman").update(acted_at=_at(day))
        first = decision.awards.order_by("pk").first()
        if first is not None:
            actions.do_record_ceremony(users["chutich"], first, date(2021, 9, 12))

    first = dossier(Area.objects.get(code=wards[0]), [wards[0]], None)
    actions.do_submit_dossier(None, first, on=date(2021, 9, 6))
    act(first, "nhatrang", date(2021, 9, 6), "Đề nghị tỉnh khen thưởng")
    act(first, "tinh", date(2021, 9, 7), "Đúng đối tượng, đủ hồ sơ")
    act(first, "thidua", date(2021, 9, 7), "Trình Chủ tịch UBND tỉnh")
    decide(first, "Minh họa-01/QĐ-UBND", date(2021, 9, 9))

    city_dossier = dossier(city, [communes[0]], users["nhatrang"])
    actions.do_submit_dossier(users["nhatrang"], city_dossier, on=date(2021, 9, 7))
    act(city_dossier, "tinh", date(2021, 9, 7), "Đủ hồ sơ")
    act(city_dossier, "thidua", date(2021, 9, 8), "Trình Chủ tịch UBND tỉnh")
    decide(city_dossier, "Minh họa-02/QĐ-UBND", date(2021, 9, 9))

    at_emulation = dossier(Area.objects.get(code=wards[1]), [wards[1]], None)
    actions.do_submit_dossier(None, at_emulation, on=date(2021, 9, 7))
    act(at_emulation, "nhatrang", date(2021, 9, 7), "Đề nghị tỉnh khen thưởng")
    act(at_emulation, "tinh", date(2021, 9, 8), "Đủ hồ sơ")

    at_standing = dossier(Area.objects.get(code=wards[2]), [wards[2]], None)
    actions.do_submit_dossier(None, at_standing, on=date(2021, 9, 7))
    act(at_standing, "nhatrang", date(2021, 9, 8), "Đề nghị tỉnh khen thưởng")

    late = dossier(Area.objects.get(code=communes[1]), [communes[1]], None)
    actions.do_submit_dossier(None, late, on=date(2021, 9, 8))

    returned = dossier(Area.objects.get(code=wards[3]), [wards[3]], None)
    actions.do_submit_dossier(None, returned, on=date(2021, 9, 6))
    act(returned, "nhatrang", date(2021, 9, 6), "Đề nghị tỉnh khen thưởng")
    step = returned.current_step()
    assert step is not None
    actions.do_return_step(
        users["tinh"],
        step,
        "Thiếu bản tóm tắt thành tích của cá nhân do đơn vị quản lý lập; bổ sung số ngày "
        "giữ vững “Vùng xanh” của từng tổ dân phố.",
    )
    ReviewStep.objects.filter(pk=step.pk).update(acted_at=_at(date(2021, 9, 7)))

    dossier(Area.objects.get(code="22327"), ["22327"], users["vinhhoa"], phase=phase_2)
    for item in made:
        Dossier.objects.filter(pk=item.pk).update(created_at=_at(date(2021, 9, 5)))
    return len(made)
