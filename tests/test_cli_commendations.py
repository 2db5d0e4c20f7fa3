"""`thidua commendations import FILE`: past years' commendations from .xlsx, so that /history and the
"consecutive years" rules have the years before the bot; a bad row is named by its number and nothing is
imported when any row is bad; the same file again adds nothing."""

from __future__ import annotations

from datetime import date

from storage.models import AuditEntry, Person
from storage.models.decisions import Commendation
from tests.test_cli_criteria import cli, college_db, xlsx  # noqa: F401  (the fixtures)
from tests.test_cli_people import rows

HEAD = [
    "STT",
    "Mã nhân sự",
    "Họ và tên",
    "Mã đơn vị",
    "Danh hiệu",
    "Năm học",
    "Số quyết định",
    "Ngày quyết định",
    "Số tiền",
]


def test_past_commendations_are_imported_by_person_or_unit_and_again_add_nothing(cli, tmp_path):  # noqa: F811
    f = xlsx(
        tmp_path / "khen-thuong.xlsx",
        HEAD,
        [1, "NS002", None, None, "Lao động tiên tiến", "2023-2024", "88/QĐ-CĐKTCN", "15/08/2024", "550.000"],
        [
            2,
            None,
            "trần văn minh",
            "TCHC",
            "chien_si_thi_dua_co_so",
            "2024-2025",
            "90/QĐ-CĐKTCN",
            "20/08/2025",
            None,
        ],
        [
            3,
            None,
            None,
            "TCHC",
            "Tập thể lao động tiên tiến",
            "2024 - 2025",
            "90/QĐ-CĐKTCN",
            "20/08/2025",
            None,
        ],
    )
    first = cli("commendations", "import", f)
    assert "thêm mới 3" in first.output
    made = sorted(rows(cli.url, Commendation), key=lambda c: c.id)
    assert [(c.code, c.school_year, c.level, c.decision_number, c.decision_date, c.amount) for c in made] == [
        ("lao_dong_tien_tien", "2023-2024", "imported", "88/QĐ-CĐKTCN", date(2024, 8, 15), 550_000),
        ("chien_si_thi_dua_co_so", "2024-2025", "imported", "90/QĐ-CĐKTCN", date(2025, 8, 20), None),
        ("tap_the_lao_dong_tien_tien", "2024-2025", "imported", "90/QĐ-CĐKTCN", date(2025, 8, 20), None),
    ]
    people = {p.id: p.full_name for p in rows(cli.url, Person)}
    assert [people.get(c.person_id or 0) for c in made[:2]] == ["Nguyễn Thị Hoa", "Trần Văn Minh"]
    assert made[2].person_id is None and made[2].unit_id is not None and made[2].subject == "collective"
    again = cli("commendations", "import", f)
    assert "thêm mới 0, đã có sẵn 3" in again.output and len(rows(cli.url, Commendation)) == 3
    assert len(rows(cli.url, AuditEntry, AuditEntry.action == "commendations.imported")) == 2


def test_a_file_with_bad_rows_names_each_by_number_and_imports_nothing(cli, tmp_path):  # noqa: F811
    f = xlsx(
        tmp_path / "loi.xlsx",
        HEAD,
        [
            1,
            "NS002",
            None,
            None,
            "Lao động tiên tiến",
            "2023-2024",
            "88/QĐ-CĐKTCN",
            "15/08/2024",
            None,
        ],  # good
        [2, "NS999", None, None, "Lao động tiên tiến", "2023-2024", "88/QĐ", "15/08/2024", None],
        [3, "NS002", None, None, "Danh hiệu lạ", "2023-2024", "88/QĐ", "15/08/2024", None],
        [4, "NS002", None, None, "Lao động tiên tiến", "2023", "88/QĐ", "15/08/2024", None],
        [5, "NS002", None, None, "Lao động tiên tiến", "2022-2023", None, "15/08/2023", None],
        [6, "NS002", None, None, "Lao động tiên tiến", "2021-2022", "8/QĐ", "31/02/2022", None],
        [7, "NS002", None, None, "Lao động tiên tiến", "2020-2021", "8/QĐ", "15/08/2099", None],
        [8, "NS002", None, None, "Lao động tiên tiến", "2019-2020", "8/QĐ", "15/08/2020", "bảy trăm"],
        [9, None, None, "TCHC", "Lao động tiên tiến", "2019-2020", "8/QĐ", "15/08/2020", None],
        [10, "NS002", None, None, "Tập thể lao động tiên tiến", "2019-2020", "8/QĐ", "15/08/2020", None],
        [11, "NS002", None, None, "Lao động tiên tiến", "2023-2024", "88/QĐ-CĐKTCN", "15/08/2024", None],
    )
    out = cli("commendations", "import", f, ok=False).output
    for n, words in (
        (3, "không có ai mang mã nhân sự “NS999”"),
        (4, "danh hiệu, hình thức khen thưởng “Danh hiệu lạ” không có trong kế hoạch"),
        (5, "năm học “2023” không hợp lệ"),
        (6, "thiếu số quyết định"),
        (7, "ngày quyết định “31/02/2022” không hợp lệ"),
        (8, "ngày quyết định “15/08/2099” không hợp lệ"),
        (9, "số tiền “bảy trăm” không hợp lệ"),
        (10, "là danh hiệu cá nhân"),
        (11, "là danh hiệu tập thể"),
        (12, "trùng với dòng 2"),
    ):
        assert any(line.strip().startswith(f"dòng {n}: ") and words in line for line in out.splitlines()), n
    assert "dòng 2:" not in out and "Có 10 dòng lỗi; chưa nhập gì" in out
    assert rows(cli.url, Commendation) == []


def test_a_file_without_the_needed_columns_or_not_xlsx_is_refused(cli, tmp_path):  # noqa: F811
    f = xlsx(tmp_path / "thieu.xlsx", ["Họ và tên", "Danh hiệu"], ["Nguyễn Thị Hoa", "Lao động tiên tiến"])
    assert "thiếu cột bắt buộc" in cli("commendations", "import", f, ok=False).output
    csv = tmp_path / "a.csv"
    csv.write_text("x", encoding="utf-8")
    assert "Chỉ nhận tệp .xlsx" in cli("commendations", "import", str(csv), ok=False).output
    assert rows(cli.url, Commendation) == []
