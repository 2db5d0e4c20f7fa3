"""`thidua plan load` and `thidua plan show`: each problem with its path and line; nothing loaded on error."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Column, Integer, MetaData, Table

from bot.cli import main
from bot.services.plan import register_reference, unregister_reference

PLANS = Path(__file__).resolve().parents[1] / "plans"
SEED = PLANS / "2021-2025.yaml"
EXAMPLE = PLANS / "2026-2030.example.yaml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "thidua.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("DEFAULT_LOCALE", "vi")
    return path


def thidua(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def dump(db_file: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the plan's tables and of the audit log."""
    with sqlite3.connect(db_file) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        wanted = [t for t in tables if t.startswith("plan_") or t == "audit_log"]
        return {t: conn.execute(f'select * from "{t}" order by 1').fetchall() for t in sorted(wanted)}


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# -- loading ----------------------------------------------------------------------------------------------
def test_the_shipped_plan_loads_and_the_report_lists_what_was_added(db_file: Path) -> None:
    result = thidua("plan", "load", str(SEED))

    assert result.exit_code == 0, result.output
    assert "Đã nạp kế hoạch giai đoạn 2021-2025." in result.output
    assert "Thêm đợt bình xét: yearly-2021-2022, yearly-2022-2023, interim-2023" in result.output
    assert len(dump(db_file)["plan_round"]) == 6


def test_loading_the_same_file_again_changes_nothing(db_file: Path) -> None:
    thidua("plan", "load", str(EXAMPLE))
    before = dump(db_file)

    result = thidua("plan", "load", str(EXAMPLE), "--lang", "en")

    assert result.exit_code == 0
    assert result.output == "Plan 2026-2030: nothing changed.\n"
    assert dump(db_file) == before


def test_show_prints_the_loaded_plan_with_local_dates(db_file: Path) -> None:
    thidua("plan", "load", str(SEED))

    result = thidua("plan", "show", "--period", "2021-2025")

    assert result.exit_code == 0
    out = result.output
    assert "<b>" not in out
    assert "Đổi mới, sáng tạo trong quản lý giảng dạy và học tập" in out
    assert "Tiêu chí cá nhân: Cá nhân điển hình là những người thường xuyên tu dưỡng" in out
    assert "Giới hạn: không quá 15% số người đạt Lao động tiên tiến (giá trị còn chờ xác nhận)" in out
    assert "Mức tiền thưởng: 0,8 lần mức lương cơ sở (áp dụng từ ngày 01/07/2025)" in out
    assert "1.800.000 đ (áp dụng từ ngày 01/07/2023) — Nghị định số 24/2023/NĐ-CP" in out
    assert "Đăng ký thi đua đầu năm: từ ngày 05/09/2022 đến hết ngày 31/10/2022" in out
    assert (
        "Đề cử: từ ngày 03/01/2023 đến hết ngày 17/02/2023\n"
        "Bỏ phiếu: từ ngày 27/02/2023 đến hết ngày 10/03/2023\n"
        "Lễ khen thưởng: ngày 29/03/2023"
    ) in out
    assert "Trước hạn bỏ phiếu: 2 ngày, 3 giờ — gửi những người chưa thực hiện, Thường trực Hội đồng" in out


def test_show_of_an_unknown_period_says_so(db_file: Path) -> None:
    thidua("plan", "load", str(EXAMPLE))

    result = thidua("plan", "show", "--period", "2031-2035")

    assert result.exit_code == 1
    assert "Không có kế hoạch giai đoạn 2031-2035." in result.output


# -- bad input: every problem, with its path and line; nothing is loaded -----------------------------------
def yaml_error() -> str:
    return edit(EXAMPLE_TEXT, "schema_version: 1", "schema_version: [1")


def missing_field() -> str:
    return edit(EXAMPLE_TEXT, "    decided_by: school\n", "")


def unknown_field() -> str:
    return edit(EXAMPLE_TEXT, "    decided_by: school\n", "    decided_by: school\n    colour: red\n")


def windows_out_of_order() -> str:
    return edit(EXAMPLE_TEXT, "voting_close: 2027-06-18", "voting_close: 2027-06-01")


def school_years_overlap() -> str:
    second = '  - code: "2027-2028"\n    start: 2027-08-01\n    end: 2028-07-31\n'
    second += "    registration: {opens: 2027-09-06, closes: 2027-10-29}\n\nrounds:"
    return edit(EXAMPLE_TEXT, "\nrounds:", second)


def quota_over_100() -> str:
    return edit(EXAMPLE_TEXT, "quota: {percent: 15,", "quota: {percent: 150,")


def threshold_outside() -> str:
    return edit(
        EXAMPLE_TEXT, "      share: 0.5\n      base: votes_cast", "      share: 1.5\n      base: votes_cast"
    )


def unknown_title() -> str:
    return edit(EXAMPLE_TEXT, "title: lao_dong_tien_tien, source", "title: lao_dong_xuat_sac, source")


def factor_without_date() -> str:
    return edit(EXAMPLE_TEXT, "{factor: 0.3, effective_from: 2025-07-01, source:", "{factor: 0.3, source:")


# kind: (the bad file, the path, the message (a pattern), a text on the line it names)
BAD_FILES = {
    "invalid YAML": (yaml_error, "", r"invalid YAML: .*", "schema_version: [1"),  # where the "[" is left open
    "missing field": (missing_field, "titles[0].decided_by", "missing field", "- code: lao_dong_tien_tien"),
    "unknown field": (unknown_field, "titles[0].colour", "unknown field", "colour: red"),
    "windows out of order": (
        windows_out_of_order,
        "rounds[0].windows.voting_close",
        "date before voting_open",
        "voting_close:",
    ),
    "school years overlap": (
        school_years_overlap,
        "school_years[1].start",
        "school year 2027-2028 overlaps 2026-2027",
        "start: 2027-08-01",
    ),
    "quota over 100%": (
        quota_over_100,
        "titles[1].quota.percent",
        "quota 150% is over 100%",
        "percent: 150",
    ),
    "threshold outside 0-1": (
        threshold_outside,
        "titles[0].voting.share",
        r"threshold 1\.5 is outside 0–1 .*",
        "share: 1.5",
    ),
    "title referring to an unknown title": (
        unknown_title,
        "titles[1].quota.title",
        r"unknown title or award form lao_dong_xuat_sac \(known: .*\)",
        "lao_dong_xuat_sac",
    ),
    "money factor without a date of effect": (
        factor_without_date,
        "titles[0].award_factors[0].effective_from",
        "missing field",
        "{factor: 0.3, source:",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_names_the_problem_with_its_path_and_line_and_loads_nothing(
    db_file: Path, tmp_path: Path, kind: str
) -> None:
    thidua("plan", "load", str(EXAMPLE))
    before = dump(db_file)
    make, path, message, needle = BAD_FILES[kind]
    text = make()
    where = f"{re.escape(path)}: " if path else ""

    result = thidua("plan", "load", str(write(tmp_path, text)), "--lang", "en")

    assert result.exit_code == 1
    assert "1 problem in the plan, nothing loaded:" in result.output
    assert re.search(rf"{where}{message} \(line {line_of(text, needle)}\)", result.output), result.output
    assert dump(db_file) == before


def test_problems_are_told_in_vietnamese_by_default(db_file: Path, tmp_path: Path) -> None:
    text = windows_out_of_order()

    result = thidua("plan", "load", str(write(tmp_path, text)))

    assert result.exit_code == 1
    line = line_of(text, "voting_close:")
    assert f"rounds[0].windows.voting_close: ngày trước voting_open (dòng {line})" in result.output
    assert dump(db_file).get("plan_period", []) == []


@pytest.fixture
def nominations(db_file: Path) -> Iterator[Table]:
    """Another feature's table whose rows refer to titles (created in the test database, registered)."""
    thidua("plan", "load", str(EXAMPLE))
    table = Table(
        "test_nomination", MetaData(), Column("id", Integer, primary_key=True), Column("title_id", Integer)
    )
    with sqlite3.connect(db_file) as conn:
        conn.execute("create table test_nomination (id integer primary key, title_id integer)")
        [(title_id,)] = conn.execute("select id from plan_commendation where code = 'chien_si_thi_dua_co_so'")
        conn.execute("insert into test_nomination (title_id) values (?)", (title_id,))
    ref = register_reference(table.c.title_id, "commendation", "nominations of the test")
    yield table
    unregister_reference(ref)


def test_a_file_removing_a_title_still_used_by_records_is_refused(
    db_file: Path, tmp_path: Path, nominations: Table
) -> None:
    before = dump(db_file)
    start = EXAMPLE_TEXT.index("  - code: chien_si_thi_dua_co_so")
    end = EXAMPLE_TEXT.index("  - code: tap_the_lao_dong_tien_tien")
    text = edit(EXAMPLE_TEXT[:start] + EXAMPLE_TEXT[end:], "      - chien_si_thi_dua_co_so\n", "")
    cstd = "      - kind: members_with_title\n        params: {title: chien_si_thi_dua_co_so, min_count: 1}\n"
    text = edit(text, cstd, "")  # the collective rule that counts it goes too

    result = thidua("plan", "load", str(write(tmp_path, text)), "--lang", "en")

    assert result.exit_code == 1
    assert (
        "titles: the file removes title / award form chien_si_thi_dua_co_so, "
        f"still used by: nominations of the test (1) (line {line_of(text, 'titles:')})"
    ) in result.output
    assert dump(db_file) == before


def test_a_new_current_period_is_queued_for_everyone_who_has_joined(db_file: Path) -> None:
    """Issue 11: the operator sees how many the plan was queued for; a reload queues nothing."""
    assert thidua("org", "load", str(PLANS / "org.yaml")).exit_code == 0
    assert thidua("admin", "add", "777", "--name", "Quản Trị Viên", "--unit", "TCHC").exit_code == 0
    first = thidua("plan", "load", str(EXAMPLE))  # the real clock is in 2026–2030
    again = thidua("plan", "load", str(EXAMPLE))

    assert "Đã xếp hàng gửi kế hoạch tới 1 người đã tham gia bot (0 người đã chặn bot" in first.output
    assert "Đã xếp hàng gửi kế hoạch" not in again.output
    with sqlite3.connect(db_file) as conn:
        rows = conn.execute("select chat_id, batch from outbox where kind = 'plan-announce'").fetchall()
    assert [chat for chat, _ in rows] == [777] and rows[0][1].startswith("plan-announce:")


# -- reminders (issue 13) ------------------------------------------------------------------------------------
def test_plan_load_warns_about_an_offset_that_goes_the_evening_before_and_still_loads(db_file, tmp_path):
    text = edit(EXAMPLE_TEXT, "offsets: [2d, 3h]", "offsets: [2d, 30m]")
    result = thidua("plan", "load", str(write(tmp_path, text)), "--lang", "en")
    assert result.exit_code == 0
    assert "Warnings:" in result.output
    [line] = [x for x in result.output.splitlines() if "30m" in x]
    assert "20:30 the evening before" in line and "reminder_rules[" in line and "line" in line


def test_two_rules_with_one_deadline_and_audience_are_an_error(db_file, tmp_path):
    rule = "  - deadline: province_report\n    offsets: [7d]\n    audience: [secretary]\n"
    text = edit(EXAMPLE_TEXT, rule, rule + rule.replace("[7d]", "[1d]"))
    result = CliRunner().invoke(main, ["plan", "load", str(write(tmp_path, text)), "--lang", "en"])
    assert result.exit_code == 1
    assert "repeats reminder_rules[" in result.output
    if db_file.exists():  # migrated, and nothing loaded
        assert dump(db_file).get("plan_reminder_rule", []) == []


# -- issue 18, F38 -------------------------------------------------------------------------------------------
def test_show_on_an_empty_database_points_to_plan_load(db_file: Path) -> None:
    result = thidua("plan", "show")

    assert result.exit_code == 1
    assert "thidua plan load" in result.output
    assert "Phòng TC-HC" not in result.output  # the staff's words in chat, not the operator's


def test_show_of_a_period_never_loaded_exits_non_zero(db_file: Path) -> None:
    thidua("plan", "load", str(SEED))

    result = thidua("plan", "show", "--period", "2099")

    assert result.exit_code != 0
    assert "2099" in result.output and "2021-2025" in result.output
