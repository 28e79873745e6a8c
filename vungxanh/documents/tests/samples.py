"""A sample letter for the tests: a provincial department's submission for awards."""

from __future__ import annotations

from datetime import date

from vungxanh.documents import Column, OfficialDocument, Paragraph, Signer, Table

DIACRITICS = "Tổ COVID cộng đồng phường Vĩnh Hòa hoạt động hiệu quả; ưu tiên người già, trẻ nhỏ"


def sample_letter(nominees: int = 3) -> OfficialDocument:
    rows = [
        [
            str(n),
            f"Nguyễn Thị Hồng Nhung {n}" if n % 2 else f"Tổ dân phố {n}, phường Vĩnh Hòa",
            "Trưởng trạm Y tế phường Vĩnh Hòa" if n % 2 else "Tập thể",
            "Bằng khen của Chủ tịch UBND tỉnh",
            f"{DIACRITICS}; kéo giảm cấp độ dịch về xanh trong {10 + n} ngày.",
        ]
        for n in range(1, nominees + 1)
    ]
    return OfficialDocument(
        parent="ỦY BAN NHÂN DÂN\nTỈNH KHÁNH HÒA",
        issuer="SỞ Y TẾ",
        number="05/TTr-SYT",
        place="Khánh Hòa",
        day=date(2021, 9, 5),
        kind_title="TỜ TRÌNH",
        summary=(
            "Về việc đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho các tập thể, "
            "cá nhân có thành tích trong phong trào thi đua bảo vệ “Vùng xanh”"
        ),
        addressees=["Ủy ban nhân dân tỉnh Khánh Hòa"],
        body=[
            Paragraph(
                "Căn cứ Luật Thi đua, Khen thưởng năm 2003, sửa đổi, bổ sung năm 2005 và 2013; "
                "Nghị định số 91/2017/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều "
                "của Luật Thi đua, khen thưởng;"
            ),
            Paragraph(
                "Thực hiện Kế hoạch số 4458/KH-UBND ngày 25/8/2021 của Ủy ban nhân dân tỉnh phát "
                "động phong trào thi đua bảo vệ “Vùng xanh”, Sở Y tế kính trình Ủy ban nhân dân "
                "tỉnh xem xét, tặng Bằng khen cho các tập thể, cá nhân sau:"
            ),
            Table(
                columns=[
                    Column("STT", 0.8, "center"),
                    Column("Tên tập thể, cá nhân", 2.2),
                    Column("Đơn vị, chức vụ", 2.0),
                    Column("Hình thức đề nghị", 1.8),
                    Column("Tóm tắt thành tích", 3.2),
                ],
                rows=rows,
                caption="DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
            ),
            Paragraph("Sở Y tế kính trình Ủy ban nhân dân tỉnh xem xét, quyết định./."),
        ],
        signer=Signer(position="GIÁM ĐỐC", name="Trần Văn Ấn", authority=""),
        recipients=["Như trên", "Ban Thi đua - Khen thưởng tỉnh", "Lưu: VT, NVY"],
    )
