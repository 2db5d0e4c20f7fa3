"""`thidua grades import`, `thidua initiatives import` (and discipline): .xlsx files of a school year; a bad
row is named by its number and nothing is imported when any row is bad."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from bot.cli import main
from storage.models import AuditEntry
from storage.models.criteria import CriteriaImport, Initiative, StaffGrade, UnitGrade
from tests.test_cli_people import ORG, ROOT, ROSTER, rows

EXAMPLE = ROOT / "plans" / "2026-2030.example.yaml"


def _invoke(url: str, *args: str, ok: bool = True):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        main, list(args), env={"DATABASE_URL": url, "BOT_TOKEN": ""}, catch_exceptions=False
    )
    assert (result.exit_code == 0) is ok, result.output
    return result


@pytest.fixture(scope="module")
def college_db(sqlite_templates, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A database with the units, the staff and the example plan loaded, once for the module."""
    url = sqlite_templates.fresh()
    for args in (("org", "load", str(ORG)), ("staff", "import", str(ROSTER)), ("plan", "load", str(EXAMPLE))):
        _invoke(url, *args)
    return Path(url.removeprefix("sqlite+aiosqlite:///"))


@pytest.fixture
def cli(college_db, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """`thidua ...` against a copy of that database."""
    for suffix in ("", "-wal"):
        if Path(f"{college_db}{suffix}").exists():
            shutil.copyfile(f"{college_db}{suffix}", tmp_path / f"college.db{suffix}")
    url = f"sqlite+aiosqlite:///{tmp_path / 'college.db'}"
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        return _invoke(url, *args, ok=ok)

    invoke.url = url  # type: ignore[attr-defined]
    return invoke


def xlsx(path: Path, *table: list[object]) -> str:
    wb = Workbook()
    for line in table:
        wb.active.append(line)
    wb.save(path)
    return str(path)


def test_grades_import_by_name_and_unit_or_hr_id_and_again_updates_in_place(cli, tmp_path):
    f = xlsx(
        tmp_path / "xep-loai.xlsx",
        ["STT", "Họ và tên", "Mã đơn vị", "Xếp loại"],
        [1, "Nguyễn Thị Hoa", "TCHC", "Hoàn thành xuất sắc nhiệm vụ"],
        [2, "trần văn minh", "TCHC", "HTT"],
    )
    first = cli("grades", "import", f, "--year", "2026-2027")
    assert "thêm mới 2" in first.output and "năm học 2026-2027" in first.output

    g = xlsx(tmp_path / "lai.xlsx", ["Mã nhân sự", "Xếp loại"], ["NS002", "Hoàn thành tốt nhiệm vụ"])
    second = cli("grades", "import", g, "--year", "2026")
    assert "cập nhật 1" in second.output
    assert sorted(r.rating for r in rows(cli.url, StaffGrade)) == ["hoan_thanh_tot", "hoan_thanh_tot"]
    assert [i.kind for i in rows(cli.url, CriteriaImport)] == ["grades"]
    assert len(rows(cli.url, AuditEntry, AuditEntry.action == "criteria.imported")) == 2


def test_a_file_with_bad_rows_names_each_by_number_and_imports_nothing(cli, tmp_path):
    f = xlsx(
        tmp_path / "sang-kien.xlsx",
        ["Họ và tên", "Mã đơn vị", "Loại", "Tên sáng kiến", "Cấp công nhận"],
        ["Nguyễn Thị Hoa", "TCHC", "Sáng kiến", "Số hoá hồ sơ thi đua", "Cơ sở"],
        ["Nguyễn Văn Không Có", "TCHC", "Đề tài", "Nghiên cứu A", "Cơ sở"],
        ["Trần Văn Minh", "TCHC", "Bài báo", "Nghiên cứu B", "Tỉnh"],
        ["Trần Văn Minh", "TCHC", "Đề tài", "Nghiên cứu C", "Cấp bộ"],
    )
    result = cli("initiatives", "import", f, "--year", "2026-2027", ok=False)
    for row, text in [
        (3, "không có “Nguyễn Văn Không Có” trong đơn vị TCHC"),
        (4, "loại “Bài báo” không hợp lệ"),
        (5, "cấp công nhận “Cấp bộ” không hợp lệ"),
    ]:
        assert f"dòng {row}" in result.output and text in result.output
    assert "Có 3 dòng lỗi; chưa nhập gì." in result.output
    assert rows(cli.url, Initiative) == [] and rows(cli.url, CriteriaImport) == []


def test_unit_grades_an_unknown_year_and_a_wrong_file_are_refused_clearly(cli, tmp_path):
    f = xlsx(tmp_path / "tap-the.xlsx", ["Mã đơn vị", "Xếp loại"], ["TCHC", "Hoàn thành xuất sắc nhiệm vụ"])
    assert "thêm mới 1" in cli("grades", "import", f, "--year", "2026-2027", "--collective").output
    assert [u.rating for u in rows(cli.url, UnitGrade)] == ["hoan_thanh_xuat_sac"]

    unknown = cli("grades", "import", f, "--year", "2031-2032", "--collective", ok=False)
    assert "Không có năm học “2031-2032”" in unknown.output and "2026-2027" in unknown.output
    csv = tmp_path / "xep-loai.csv"
    csv.write_text("Họ và tên,Xếp loại\n", encoding="utf-8")
    assert "Chỉ nhận tệp .xlsx" in cli("grades", "import", str(csv), "--year", "2026", ok=False).output
    odd = xlsx(
        tmp_path / "cot-la.xlsx", ["Họ và tên", "Mã đơn vị", "Điểm thưởng"], ["Nguyễn Thị Hoa", "TCHC", 9]
    )
    assert (
        "cột không nhận ra: “Điểm thưởng”" in cli("grades", "import", odd, "--year", "2026", ok=False).output
    )
