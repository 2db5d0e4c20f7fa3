"""What a post is made of, and the data of the buttons the service queues."""

from __future__ import annotations

from datetime import date

import pytest

from bot.i18n import grouped
from bot.services.announce_draft import (
    CAPTION_MAX,
    DecisionInFuture,
    DecisionUnclear,
    Part,
    bc_data,
    parse_decision,
    parts,
)
from bot.tghtml import visible_length
from handlers.announce import BcCb


def test_a_caption_is_measured_after_parsing_not_on_the_html_source():
    text = "<b>Chúc mừng</b> " + "&amp;" * (CAPTION_MAX - 12)  # source over 1024, shown as 1024 characters
    assert len(text) > CAPTION_MAX
    assert parts(text, "PHOTO") == [Part("photo", text, "PHOTO")]


def test_a_text_too_long_for_a_caption_follows_the_photo():
    text = "Thành tích &amp; kết quả <b>xuất sắc</b>\n" * 40  # about 1,500 characters shown
    got = parts(text, "PHOTO")
    assert got[0] == Part("photo", None, "PHOTO")
    assert [p.method for p in got[1:]] == ["message"]
    assert (got[1].text or "").rstrip("\n") == text.rstrip("\n")


def test_a_long_text_is_split_on_line_boundaries_with_every_line_whole():
    line = "Nguyễn Thị Hoa &lt;Khoa CNTT&gt; đạt danh hiệu <i>Chiến sĩ thi đua cơ sở</i>."
    text = "\n".join([line] * 120)
    got = parts(text, None)
    assert len(got) > 1 and all(p.method == "message" and visible_length(p.text or "") <= 4096 for p in got)
    assert all(set((p.text or "").split("\n")) == {line} for p in got)


TODAY = date(2026, 5, 20)


def test_the_decision_number_and_date_are_read_as_typed():
    assert parse_decision("45/QĐ-CĐKT 20/05/2026", TODAY) == ("45/QĐ-CĐKT", date(2026, 5, 20))
    assert parse_decision("Số 12/QĐ-HT ngày 01/06/2025", TODAY) == ("12/QĐ-HT", date(2025, 6, 1))
    # the template writes "Quyết định số …": what the sender typed before the number is not said twice
    assert parse_decision("Quyết định số 7/QĐ-CĐKT, 02/01/2026", TODAY) == ("7/QĐ-CĐKT", date(2026, 1, 2))
    with pytest.raises(DecisionUnclear):
        parse_decision("20/05/2026", TODAY)


def test_a_decision_dated_after_today_is_refused_and_says_both_dates():
    with pytest.raises(DecisionInFuture) as refused:
        parse_decision("45/QĐ-CĐKT 21/05/2026", TODAY)
    assert refused.value.text() == (
        "Ngày quyết định 21/05/2026 chưa tới (hôm nay là 20/05/2026)."
        " Vui lòng kiểm tra lại ngày ký quyết định."
    )


def test_counts_are_grouped_as_each_language_writes_them():
    assert grouped(1250) == "1.250" and grouped(3000, "en") == "3,000"


def test_the_queued_buttons_carry_the_data_of_the_handlers_callback():
    assert bc_data("x", 12) == BcCb(op="x", id=12).pack()
    assert BcCb.unpack(bc_data("r", 7)) == BcCb(op="r", id=7)
