"""The failures file of a broadcast: one line per recipient, read by a spreadsheet as text."""

from __future__ import annotations

from bot.exports.announce import failures_csv
from bot.services.announce import Failure


def test_a_name_that_looks_like_a_formula_is_written_as_text():
    rows = [
        Failure('=HYPERLINK("http://x")', "failed", "forbidden"),
        Failure("Nguyễn Thị Hoa", "blocked", None),
    ]
    lines = failures_csv(rows).decode("utf-8-sig").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK(")
    assert lines[2] == "Nguyễn Thị Hoa,đã chặn bot"
