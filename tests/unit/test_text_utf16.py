"""`clip` and `fit` count as Telegram does: UTF-16 code units of the visible text (issue 18, item 5). An emoji
or another character outside the BMP counts 2; an escaped `&` counts 1, as it shows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import clip, esc, fit
from bot.tghtml import utf16_len, visible, visible_length


def test_an_emoji_counts_two_code_units():
    out = clip("😀" * 10, 5)
    assert out == "😀😀…" and visible_length(out) == 5


def test_astral_letters_and_escapes_are_counted_as_they_show():
    bold_a = "\U0001d400"  # MATHEMATICAL BOLD CAPITAL A
    assert visible_length(clip(bold_a * 100, 51)) == 51
    assert clip("&" * 10, 5) == "&amp;" * 4 + "…"  # four & and the … show: 5 units
    assert clip("Nguyễn Thị Hoa", 14) == "Nguyễn Thị Hoa"  # fits exactly: kept whole


def test_fit_shares_a_budget_in_code_units():
    parts = fit(["😀" * 3000, "Đơn vị 🏫 " * 100, "ngắn"], 4000)
    assert sum(visible_length(p) for p in parts) <= 4000
    assert parts[2] == "ngắn"
    assert sum(visible_length(p) for p in parts) > 3900  # and the budget is used, not wasted


@given(st.text(), st.integers(min_value=1, max_value=500))
def test_clip_never_shows_more_than_the_limit(text, limit):
    out = clip(text, limit)
    assert visible_length(out) <= limit
    if utf16_len(text) <= limit:
        assert out == esc(text)
    else:
        assert visible(out).endswith("…") and text.startswith(visible(out)[:-1])
