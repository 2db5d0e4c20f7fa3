"""The plan file: schema, and error messages with path and line."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import fmt_when
from bot.plan import (
    PlanError,
    PlanFile,
    PlanIssue,
    parse_plan,
    read_plan,
)
from bot.plan.calendar import closes_at, opens_at
from bot.plan.schema import DatedAmount, Money, parse_offset

PLANS_DIR = Path(__file__).resolve().parents[2] / "plans"

MINIMAL = """\
period:
  code: "2021-2025"
  start_year: 2021
  end_year: 2025
  title: {vi: Kế hoạch, en: Plan}
movements:
  - code: m1
    name: {vi: Phong trào, en: Movement}
    criteria:
      collective: {vi: Tiêu chí tập thể}
      individual: {vi: Tiêu chí cá nhân}
titles:
  - code: lao_dong_tien_tien
    subject: individual
    name: {vi: Lao động tiên tiến, en: Advanced Worker}
    decided_by: school
    registration_required: true
    voting: {share: 0.5, base: votes_cast, source: test}
    source: test
  - code: chien_si_thi_dua_co_so
    subject: individual
    name: {vi: Chiến sĩ thi đua cơ sở, en: Grassroots Emulation Fighter}
    decided_by: school
    registration_required: true
    voting: {share: 0.5, base: all_members, source: test}
    quota: {percent: 15, base: title, title: lao_dong_tien_tien, source: test}
    criteria_rules:
      - kind: holds_title
        params: {title: lao_dong_tien_tien}
    award_factors:
      - {factor: 1.0, effective_from: 2025-07-01, source: NĐ 152/2025}
    source: test
award_forms:
  - code: giay_khen
    level: 1
    subjects: [individual, collective]
    name: {vi: Giấy khen, en: Certificate of Merit}
    decided_by: school
    registration_required: false
    voting: {share: 0.5, base: all_members, source: test}
    source: test
money:
  luong_co_so:
    - {amount: 1490000, effective_from: 2019-07-01, source: NĐ 38/2019}
    - {amount: 1800000, effective_from: 2023-07-01, source: NĐ 24/2023}
school_years:
  - code: "2022-2023"
    start: 2022-09-01
    end: 2023-08-31
    registration: {opens: 2022-09-05, closes: 2022-10-31}
rounds:
  - code: yearly
    kind: yearly
    school_year: "2022-2023"
    name: {vi: Năm học 2022-2023, en: School year 2022–2023}
    nominable: [lao_dong_tien_tien, giay_khen]
    windows:
      nominations_close: 2023-05-31
      voting_open: 2023-06-05
      voting_close: 2023-06-16
      ceremony: 2023-07-07
reminder_rules:
  - deadline: voting_close
    offsets: [1d, 3h]
    audience: [pending]
confidentiality:
  nominee_can_read_summary: false
"""


# ---------------------------------------------------------------------------------------------
# helpers


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def problems(text: str) -> list[PlanIssue]:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "test.yaml")
    return caught.value.issues


def only_problem(text: str) -> PlanIssue:
    issues = problems(text)
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


@pytest.fixture(scope="module")
def plan_2021() -> PlanFile:
    return read_plan(PLANS_DIR / "2021-2025.yaml")


# ---------------------------------------------------------------------------------------------
# the shipped plans


@pytest.mark.parametrize("path", sorted(PLANS_DIR.glob("[0-9]*.yaml")), ids=lambda p: p.name)
def test_shipped_plans_parse(path: Path) -> None:
    plan = read_plan(path)
    assert plan.rounds and plan.school_years


def test_seed_plan_encodes_the_seed(plan_2021: PlanFile) -> None:
    assert plan_2021.period.code == "2021-2025"
    assert [m.code for m in plan_2021.movements] == [
        "doi_moi_sang_tao",
        "hoc_tap_lam_theo_bac",
        "van_hoa_cong_so",
    ]
    assert plan_2021.movements[0].criteria.collective.vi.startswith(
        "Hoàn thành xuất sắc các nhiệm vụ, là điển hình"
    )
    assert "có nhiều học sinh giỏi các cấp;" in plan_2021.movements[0].criteria.collective.vi
    assert [s.code for s in plan_2021.school_years] == ["2021-2022", "2022-2023", "2023-2024", "2024-2025"]
    kinds = sorted((r.kind, r.school_year) for r in plan_2021.rounds)
    assert kinds == [
        ("final", "2024-2025"),
        ("interim", "2022-2023"),
        ("yearly", "2021-2022"),
        ("yearly", "2022-2023"),
        ("yearly", "2023-2024"),
        ("yearly", "2024-2025"),
    ]
    final = next(r for r in plan_2021.rounds if r.kind == "final")
    assert {"bang_khen_ubnd_tinh", "bang_khen_thu_tuong", "huan_chuong_lao_dong_hang_ba"} <= set(
        final.nominable
    )
    interim = next(r for r in plan_2021.rounds if r.kind == "interim")
    assert interim.occasion is not None and interim.occasion.date == date(2023, 6, 11)
    assert [f.code for f in sorted(plan_2021.award_forms, key=lambda f: f.level)] == [
        "giay_khen_hieu_truong",
        "bang_khen_ubnd_tinh",
        "bang_khen_thu_tuong",
        "huan_chuong_lao_dong_hang_ba",
    ]


@pytest.mark.parametrize(
    ("code", "factor"),
    [
        ("lao_dong_tien_tien", "0.3"),
        ("chien_si_thi_dua_co_so", "1.0"),
        ("tap_the_lao_dong_tien_tien", "0.8"),
    ],
)
def test_award_factors_of_nd_152_2025(plan_2021: PlanFile, code: str, factor: str) -> None:
    title = plan_2021.commendation(code)
    assert title is not None
    in_force = title.factor_on(date(2025, 7, 1))
    assert in_force is not None
    assert in_force.factor == Decimal(factor)
    assert in_force.source.startswith("Nghị định số 152/2025")


def test_awards_decided_upward_carry_no_school_money(plan_2021: PlanFile) -> None:
    """Issue 20: the level that decides pays (Tập thể lao động xuất sắc's 1.5 is the province's)."""
    upward = [c for c in plan_2021.commendations if c.decided_by == "upward"]
    assert upward and all(not c.award_factors for c in upward)


@pytest.mark.parametrize(
    ("day", "amount"),
    [
        (date(2021, 1, 1), 1_490_000),
        (date(2023, 6, 30), 1_490_000),
        (date(2023, 7, 1), 1_800_000),
        (date(2024, 6, 30), 1_800_000),
        (date(2024, 7, 1), 2_340_000),
        (date(2025, 12, 31), 2_340_000),
    ],
)
def test_luong_co_so_in_force_on_a_day(plan_2021: PlanFile, day: date, amount: int) -> None:
    value = plan_2021.money.luong_co_so_on(day)
    assert value is not None and value.amount == amount


def test_minimal_plan_parses() -> None:
    plan = parse_plan(MINIMAL, "minimal.yaml")
    assert plan.rounds[0].windows.voting_close == date(2023, 6, 16)
    assert plan.reminder_rules[0].offset_deltas() == [timedelta(days=1), timedelta(hours=3)]


def test_dates_may_be_written_dd_mm_yyyy_with_an_optional_time() -> None:
    text = edit(MINIMAL, "voting_open: 2023-06-05", "voting_open: 05/06/2023")
    text = edit(text, "voting_close: 2023-06-16", 'voting_close: "16/06/2023 17:30"')
    windows = parse_plan(text).rounds[0].windows
    assert windows.voting_open == date(2023, 6, 5)
    assert windows.voting_close == datetime(2023, 6, 16, 17, 30)
    assert fmt_when(opens_at(windows.voting_open), "vi") == "ngày 05/06/2023"
    assert fmt_when(closes_at(windows.voting_close), "vi") == "17:30 ngày 16/06/2023"
    assert fmt_when(closes_at(windows.voting_close), "en") == "16/06/2023 17:30"
    assert fmt_when(closes_at(date(2023, 6, 16)), "vi") == "hết ngày 16/06/2023"


# ---------------------------------------------------------------------------------------------
# bad input: each gives the path and the line


def test_issue_reads_path_message_and_line() -> None:
    issue = PlanIssue(
        ("rounds", 2, "windows", "voting_close"), "plan-date-before", {"other": "voting_open"}, 84
    )
    assert str(issue) == "rounds[2].windows.voting_close: date before voting_open (line 84)"
    assert issue.path == "rounds[2].windows.voting_close"
    assert issue.message == "date before voting_open"


def test_invalid_yaml_gives_the_parsers_line() -> None:
    text = edit(MINIMAL, "  - code: m1", "  - code: m1: oops")
    issue = only_problem(text)
    assert issue.key == "plan-yaml-invalid"
    assert issue.line == line_of(text, "code: m1: oops")
    assert str(issue).startswith("invalid YAML: a value contains ':'; put the value in double quotes")


def test_empty_file() -> None:
    issue = only_problem("# nothing but a comment\n")
    assert issue.key == "plan-empty-file"


def test_missing_field() -> None:
    text = edit(MINIMAL, "      voting_close: 2023-06-16\n", "")
    issue = only_problem(text)
    assert str(issue) == f"rounds[0].windows.voting_close: missing field (line {line_of(text, 'windows:')})"


def test_money_value_without_date_of_effect() -> None:
    text = edit(
        MINIMAL,
        "{amount: 1800000, effective_from: 2023-07-01, source: NĐ 24/2023}",
        "{amount: 1800000, source: NĐ 24/2023}",
    )
    issue = only_problem(text)
    line = line_of(text, "amount: 1800000")
    assert str(issue) == f"money.luong_co_so[1].effective_from: missing field (line {line})"


def test_award_factor_without_date_of_effect() -> None:
    text = edit(MINIMAL, "{factor: 1.0, effective_from: 2025-07-01, source: NĐ 152/2025}", "{factor: 1.0}")
    paths = {(i.path, i.line) for i in problems(text)}
    line = line_of(text, "factor: 1.0")
    assert paths == {
        ("titles[1].award_factors[0].effective_from", line),
        ("titles[1].award_factors[0].source", line),
    }


def test_unknown_field() -> None:
    text = edit(
        MINIMAL,
        "    subject: individual\n    name: {vi: Lao",
        "    subject: individual\n    colour: red\n    name: {vi: Lao",
    )
    issue = only_problem(text)
    assert str(issue) == f"titles[0].colour: unknown field (line {line_of(text, 'colour: red')})"


def test_duplicate_key_is_not_silently_dropped() -> None:
    text = edit(
        MINIMAL, "      ceremony: 2023-07-07\n", "      ceremony: 2023-07-07\n      voting_open: 2023-06-06\n"
    )
    issue = only_problem(text)
    assert issue.key == "plan-duplicate-key"
    assert issue.path == "rounds[0].windows.voting_open"
    assert issue.line == line_of(text, "voting_open: 2023-06-06")


def test_windows_out_of_order() -> None:
    text = edit(MINIMAL, "voting_close: 2023-06-16", "voting_close: 2023-06-01")
    issue = only_problem(text)
    line = line_of(text, "voting_close: 2023-06-01")
    assert str(issue) == f"rounds[0].windows.voting_close: date before voting_open (line {line})"


def test_voting_opening_before_nominations_close_overlaps() -> None:
    text = edit(MINIMAL, "nominations_close: 2023-05-31", "nominations_close: 2023-06-10")
    issue = only_problem(text)
    line = line_of(text, "voting_open:")
    assert str(issue) == f"rounds[0].windows.voting_open: date before nominations_close (line {line})"


def test_same_day_close_and_open_overlap_unless_times_are_given() -> None:
    same_day = edit(MINIMAL, "nominations_close: 2023-05-31", "nominations_close: 2023-06-05")
    issue = only_problem(same_day)
    assert issue.key == "plan-same-day"
    assert issue.path == "rounds[0].windows.voting_open"
    with_times = edit(same_day, "nominations_close: 2023-06-05", 'nominations_close: "05/06/2023 11:00"')
    with_times = edit(with_times, "voting_open: 2023-06-05", 'voting_open: "2023-06-05 13:30"')
    assert parse_plan(with_times).rounds[0].windows.voting_open == datetime(2023, 6, 5, 13, 30)


def test_voting_may_open_and_close_on_one_day() -> None:
    text = edit(MINIMAL, "voting_close: 2023-06-16", "voting_close: 2023-06-05")
    assert parse_plan(text).rounds[0].windows.voting_close == date(2023, 6, 5)


def test_round_window_outside_its_school_year() -> None:
    text = edit(MINIMAL, "ceremony: 2023-07-07", "ceremony: 2023-09-15")
    issue = only_problem(text)
    assert issue.key == "plan-outside-school-year"
    assert issue.path == "rounds[0].windows.ceremony"
    assert issue.line == line_of(text, "ceremony: 2023-09-15")
    assert "2022-2023 (01/09/2022 – 31/08/2023)" in issue.message


def test_registration_window_out_of_order() -> None:
    text = edit(MINIMAL, "{opens: 2022-09-05, closes: 2022-10-31}", "{opens: 2022-09-05, closes: 2022-09-01}")
    issue = only_problem(text)
    line = line_of(text, "registration:")
    assert str(issue) == f"school_years[0].registration.closes: date before opens (line {line})"


def test_an_impossible_date_is_reported_at_its_field() -> None:
    text = edit(MINIMAL, "ceremony: 2023-07-07", "ceremony: 2023-02-30")
    issue = only_problem(text)
    assert issue.key == "plan-bad-moment"
    assert issue.path == "rounds[0].windows.ceremony"
    assert issue.line == line_of(text, "ceremony: 2023-02-30")
    # the value the file has is quoted as Vietnamese documents quote, “…” (issue 18, E34)
    assert "tệp ghi “2023-02-30”" in issue.text("vi")
    assert "got “2023-02-30”" in issue.text("en")


@pytest.mark.parametrize("percent", ["100.5", "150"])
def test_quota_over_100_percent(percent: str) -> None:
    text = edit(MINIMAL, "quota: {percent: 15,", f"quota: {{percent: {percent},")
    issue = only_problem(text)
    line = line_of(text, "quota:")
    assert str(issue) == f"titles[1].quota.percent: quota {percent}% is over 100% (line {line})"


def test_quota_of_exactly_100_percent_is_allowed() -> None:
    text = edit(MINIMAL, "quota: {percent: 15,", "quota: {percent: 100,")
    quota = parse_plan(text).titles[1].quota
    assert quota is not None and quota.percent == 100


@pytest.mark.parametrize("share", ["1.5", "-0.1", "0", "90"])
def test_threshold_outside_0_1(share: str) -> None:
    text = edit(
        MINIMAL, "voting: {share: 0.5, base: votes_cast", f"voting: {{share: {share}, base: votes_cast"
    )
    issue = only_problem(text)
    assert issue.key == "plan-threshold-range"
    assert issue.path == "titles[0].voting.share"
    assert issue.line == line_of(text, "base: votes_cast")
    assert issue.message.startswith(f"threshold {share} is outside 0–1")


def test_quota_referring_to_an_unknown_title() -> None:
    text = edit(
        MINIMAL, "title: lao_dong_tien_tien, source: test}", "title: lao_dong_xuat_sac, source: test}"
    )
    issue = only_problem(text)
    line = line_of(text, "quota:")
    assert str(issue) == (
        "titles[1].quota.title: unknown title or award form lao_dong_xuat_sac "
        f"(known: chien_si_thi_dua_co_so, giay_khen, lao_dong_tien_tien) (line {line})"
    )


def test_round_nominating_an_unknown_title() -> None:
    text = edit(
        MINIMAL, "nominable: [lao_dong_tien_tien, giay_khen]", "nominable: [lao_dong_tien_tien, bang_khen]"
    )
    issue = only_problem(text)
    assert issue.path == "rounds[0].nominable[1]"
    assert issue.key == "plan-unknown-title"
    assert issue.line == line_of(text, "nominable:")


def test_rule_referring_to_an_unknown_title() -> None:
    text = edit(MINIMAL, "params: {title: lao_dong_tien_tien}", "params: {title: nobody}")
    issue = only_problem(text)
    assert issue.path == "titles[1].criteria_rules[0].params.title"
    assert issue.key == "plan-unknown-title"


def test_round_in_an_unknown_school_year() -> None:
    text = edit(MINIMAL, '    school_year: "2022-2023"', '    school_year: "2023-2024"')
    issue = only_problem(text)
    assert issue.path == "rounds[0].school_year"
    assert issue.message == "unknown school year 2023-2024 (known: 2022-2023)"


def test_duplicate_code() -> None:
    text = edit(MINIMAL, "  - code: giay_khen", "  - code: lao_dong_tien_tien  # again")
    text = edit(text, "nominable: [lao_dong_tien_tien, giay_khen]", "nominable: [lao_dong_tien_tien]")
    issue = only_problem(text)
    assert str(issue) == (
        "award_forms[0].code: code lao_dong_tien_tien is used twice (also at titles[0].code) "
        f"(line {line_of(text, '# again')})"
    )


def test_unknown_choice() -> None:
    text = edit(MINIMAL, "    kind: yearly", "    kind: weekly")
    issue = only_problem(text)
    assert issue.path == "rounds[0].kind"
    assert issue.message == "must be one of 'yearly', 'interim' or 'final'"


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    text = edit(MINIMAL, "quota: {percent: 15,", "quota: {percent: 150,")
    text = edit(text, "voting: {share: 0.5, base: votes_cast", "voting: {share: 2, base: votes_cast")
    text = edit(text, "    offsets: [1d, 3h]", "    offsets: [1d, 3 hours]")
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "bad.yaml")
    paths = [i.path for i in caught.value.issues]
    assert paths == ["titles[0].voting.share", "titles[1].quota.percent", "reminder_rules[0].offsets[1]"]
    report = str(caught.value)
    assert report.startswith("bad.yaml: 3 problems in the plan, nothing loaded:\n")
    assert f"  titles[1].quota.percent: quota 150% is over 100% (line {line_of(text, 'quota:')})" in report


def test_plan_file_checks_itself_when_built_from_data() -> None:
    data = parse_plan(MINIMAL).model_dump()
    data["rounds"][0]["windows"]["voting_close"] = date(2023, 6, 1)
    with pytest.raises(PlanError) as caught:
        PlanFile.model_validate(data)
    assert [i.path for i in caught.value.issues] == ["rounds[0].windows.voting_close"]


# ---------------------------------------------------------------------------------------------
# any shuffled order of the windows is refused, unless it is the order of the dates

WINDOW_NAMES = ("nominations_close", "voting_open", "voting_close", "ceremony")
ORIGINAL_WINDOWS = dict(
    zip(WINDOW_NAMES, ("2023-05-31", "2023-06-05", "2023-06-16", "2023-07-07"), strict=True)
)


@given(
    days=st.lists(
        st.dates(min_value=date(2022, 9, 1), max_value=date(2023, 8, 31)), min_size=4, max_size=4, unique=True
    ),
    order=st.permutations(range(4)),
)
def test_windows_are_accepted_only_in_date_order(days: list[date], order: list[int]) -> None:
    ascending = sorted(days)
    assigned = {name: ascending[k] for name, k in zip(WINDOW_NAMES, order, strict=True)}
    text = MINIMAL
    for name in WINDOW_NAMES:
        text = edit(text, f"{name}: {ORIGINAL_WINDOWS[name]}", f"{name}: {assigned[name].isoformat()}")
    if list(order) == sorted(order):
        assert parse_plan(text).rounds[0].windows.ceremony == ascending[3]
    else:
        issues = problems(text)
        assert issues
        assert {i.key for i in issues} <= {"plan-date-before"}
        assert all(i.path.startswith("rounds[0].windows.") and i.line for i in issues)


@given(
    st.lists(
        st.tuples(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(1, 10**8)),
        min_size=1,
        max_size=6,
        unique_by=lambda pair: pair[0],
    ),
    st.dates(min_value=date(1999, 1, 1), max_value=date(2041, 1, 1)),
)
def test_the_value_in_force_is_the_latest_one_not_after_the_day(
    values: list[tuple[date, int]], day: date
) -> None:
    money = Money(luong_co_so=[DatedAmount(amount=a, effective_from=d, source="test") for d, a in values])
    found = money.luong_co_so_on(day)
    earlier = [(d, a) for d, a in values if d <= day]
    if not earlier:
        assert found is None
    else:
        assert found is not None
        assert (found.effective_from, found.amount) == max(earlier)


@pytest.mark.parametrize(
    ("text", "delta"), [("7d", timedelta(days=7)), ("3h", timedelta(hours=3)), ("30m", timedelta(minutes=30))]
)
def test_parse_offset(text: str, delta: timedelta) -> None:
    assert parse_offset(text) == delta


@pytest.mark.parametrize("name", WINDOW_NAMES[1:])
def test_each_window_before_the_previous_one_is_refused_at_its_line(name: str) -> None:
    text = edit(MINIMAL, f"{name}: {ORIGINAL_WINDOWS[name]}", f"{name}: 2022-12-01")
    issue = problems(text)[0]
    assert issue.path == f"rounds[0].windows.{name}"
    assert issue.line == line_of(text, f"{name}: 2022-12-01")


@pytest.mark.parametrize(
    ("old", "new", "path", "key"),
    [
        (
            "offsets: [1d, 3h]",
            "offsets: [1d, 24h, 1d]",
            "reminder_rules[0].offsets[2]",
            "plan-duplicate-offset",
        ),
        (
            "award_factors:\n      - {factor: 1.0, effective_from: 2025-07-01, source: NĐ 152/2025}",
            "award_factors:\n      - {factor: 1.0, effective_from: 2025-07-01, source: a}\n"
            "      - {factor: 1.1, effective_from: 2025-07-01, source: b}",
            "titles[1].award_factors[1].effective_from",
            "plan-duplicate-effective-from",
        ),
        (
            "    decided_by: school\n    registration_required: false",
            "    decided_by: school\n    registration_required: false\n"
            "    award_factors: [{factor: 0.15, effective_from: 2017-09-15, source: NĐ 91/2017}]",
            "award_forms[0].award_factors[0].subject",
            "plan-factor-subject-needed",
        ),
        (
            "{factor: 1.0, effective_from: 2025-07-01, source: NĐ 152/2025}",
            "{factor: 1.0, effective_from: 2025-07-01, source: NĐ 152/2025, subject: collective}",
            "titles[1].award_factors[0].subject",
            "plan-factor-subject-mismatch",
        ),
        ("  - code: yearly\n", "  - code: yearly\n    foo: 1\n", "rounds[0].foo", "plan-unknown-field"),
        ("    level: 1", "    level: 0", "award_forms[0].level", "plan-number-too-small-eq"),
        ("end_year: 2025", "end_year: 2020", "period.end_year", "plan-period-years"),
        ("start: 2022-09-01", "start: 2023-09-01", "school_years[0].end", "plan-date-before"),
        ("amount: 1800000", 'amount: "1.800.000"', None, None),
        ("amount: 1800000", "amount: 0", "money.luong_co_so[1].amount", "plan-number-too-small"),
    ],
)
def test_more_checks(old: str, new: str, path: str | None, key: str | None) -> None:
    text = edit(MINIMAL, old, new)
    if path is None:
        parse_plan(text)
        return
    issues = problems(text)
    assert (path, key) in {(i.path, i.key) for i in issues}, [str(i) for i in issues]
    assert all(i.line is not None for i in issues)


def test_one_yearly_round_per_school_year() -> None:
    second = MINIMAL[MINIMAL.index("  - code: yearly\n") : MINIMAL.index("reminder_rules:")]
    text = edit(
        MINIMAL, "reminder_rules:", second.replace("code: yearly", "code: yearly-again") + "reminder_rules:"
    )
    issue = only_problem(text)
    assert issue.path == "rounds[1].kind"
    assert issue.message == "school year 2022-2023 already has a yearly round (rounds[0])"
    interim = edit(text, "code: yearly-again\n    kind: yearly", "code: interim\n    kind: interim")
    assert [r.kind for r in parse_plan(interim).rounds] == ["yearly", "interim"]


def test_a_plan_parsed_again_is_an_equal_copy_of_its_own() -> None:
    """parse_plan keeps what it parsed (the tests load the same files thousands of times): the same text
    gives an equal plan that the caller may change without the next caller seeing it; a changed text is
    read anew."""
    first = parse_plan(MINIMAL, "same.yaml")
    again = parse_plan(MINIMAL, "same.yaml")
    assert again == first and again is not first
    assert again.titles is not first.titles and again.rounds[0].windows is not first.rounds[0].windows
    first.titles.clear()  # the models are frozen, their lists are not
    assert parse_plan(MINIMAL, "same.yaml").titles == again.titles != []
    changed = parse_plan(edit(MINIMAL, 'code: "2021-2025"', 'code: "2021-2026"'), "same.yaml")
    assert changed.period.code == "2021-2026"
    with pytest.raises(PlanError) as caught:
        parse_plan(edit(MINIMAL, "start_year: 2021", "start_year: x"), "same.yaml")
    assert caught.value.issues[0].path == "period.start_year"
