"""split_message: parts fit the limit on the visible text, break at lines then words, keep entities whole.

And the escaping helpers: a name or text with <, > or & never breaks a post; the sender's own formatting is
kept while everything else is escaped."""

from __future__ import annotations

import itertools
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import esc, esc_attr, sender_html, split_message
from bot.tghtml import HtmlError, tokens, utf16_len, visible, visible_length

VI = (
    "Căn cứ Quyết định số 123/QĐ-CĐ ngày 09/12/2026 của Hiệu trưởng về việc khen thưởng "
    "các cá nhân, tập thể có thành tích xuất sắc trong phong trào thi đua năm học 2026–2027."
)


def words(text: str) -> list[str]:
    return text.split()


def well_formed(part: str) -> bool:
    """Checked by the standard library's parser too, not only by ours."""
    stack: list[str] = []
    ok = [True]

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            stack.append(tag)

        def handle_endtag(self, tag):
            if not stack or stack.pop() != tag:
                ok[0] = False

    P(convert_charrefs=True).feed(part)
    tokens(part, strict=True)  # raises HtmlError when Telegram would refuse it
    return ok[0] and not stack


def assert_rejoins(text: str, parts: list[str], limit: int) -> None:
    """The parts' visible texts, in order, are the whole visible text with only break whitespace gone;
    a part ends inside a word only when that word is longer than the limit."""
    whole = visible(text)
    shown = [visible(p) for p in parts]
    assert re.fullmatch(r"\s*" + r"\s*".join(map(re.escape, shown)) + r"\s*", whole, re.S), (whole, shown)
    pos = 0
    for a, b in itertools.pairwise(shown):
        pos = whole.index(a, pos) + len(a)
        if whole[pos : pos + 1].isspace() or not a or not b:
            continue
        left = re.search(r"\S*$", whole[:pos]).group(0)
        right = re.match(r"\S*", whole[pos:]).group(0)
        assert utf16_len(left + right) > limit, f"cut inside the word {left + right!r}"


def test_a_short_text_is_one_part_unchanged():
    text = "<b>Khen thưởng</b>\nAnh/Chị Nguyễn Thị Hoa &amp; Trần Văn Minh"
    assert split_message(text) == [text]


def test_the_limit_counts_the_visible_text_not_the_html_source():
    line = "<b>" + "đ" * 50 + "</b>"  # 57 characters of HTML, 50 visible
    assert split_message(line, limit=50) == [line]
    escaped = "&lt;" * 30  # 120 characters of HTML, 30 visible
    assert split_message(escaped, limit=30) == [escaped]


def test_the_limit_counts_utf16_code_units_like_telegram():
    text = "🏆" * 30  # 30 code points, 60 UTF-16 units
    parts = split_message(text, limit=40)
    assert [visible_length(p) for p in parts] == [40, 20]
    assert "".join(parts) == text  # a surrogate pair is never split: Python cuts between characters


def test_parts_end_at_line_breaks_when_a_line_fits():
    lines = [f"{i}. {VI}" for i in range(1, 60)]
    parts = split_message("\n".join(lines), limit=1000)
    assert len(parts) > 1
    for part in parts:
        assert visible_length(part) <= 1000
        assert all(line in lines for line in part.split("\n"))


def test_a_long_line_is_cut_between_words():
    line = " ".join([VI] * 40)  # one line of ~6 800 characters
    parts = split_message(line, limit=4096)
    assert len(parts) == 2
    assert all(visible_length(p) <= 4096 for p in parts)
    assert words(parts[0]) + words(parts[1]) == words(line)


def test_only_a_word_longer_than_the_limit_is_cut():
    word = "Nghị" * 20
    parts = split_message(f"ngắn {word} ngắn", limit=30)
    assert parts[0] == "ngắn"
    assert "".join(parts[1:]) == f"{word} ngắn"  # the word in 30 + 30 + 20, the last with what follows
    assert all(visible_length(p) <= 30 for p in parts)


def test_a_hard_cut_never_separates_a_letter_from_its_combining_mark():
    word = "e\u0301" * 20  # combining marks that NFC would fold, left unfolded on purpose
    parts = split_message(word, limit=7)
    assert all(not unicodedata.combining(p[0]) for p in parts)
    assert "".join(parts) == word


def test_a_tag_open_at_a_cut_is_closed_and_opened_again():
    text = '<b>Biểu dương</b> <a href="https://cd.edu.vn/tin?id=1&amp;p=2">' + " ".join(["tin"] * 30) + "</a>"
    parts = split_message(text, limit=40)
    assert len(parts) > 2
    for part in parts[1:]:
        assert part.startswith('<a href="https://cd.edu.vn/tin?id=1&amp;p=2">') and part.endswith("</a>")
        assert well_formed(part)


def test_nested_tags_reopen_in_order():
    text = "<b>đậm <i>" + "nghiêng " * 20 + "</i></b>"
    parts = split_message(text, limit=30)
    assert parts[1].startswith("<b><i>") and parts[1].endswith("</i></b>")
    assert all(well_formed(p) for p in parts)


def test_an_entity_is_never_cut():
    text = "&amp;" * 50
    parts = split_message(text, limit=7)
    assert all(re.fullmatch(r"(&amp;)+", p) for p in parts)
    assert sum(visible_length(p) for p in parts) == 50


def test_user_text_that_is_not_markup_comes_out_escaped():
    # A caller that forgot to escape: the part is still HTML Telegram accepts, reading the same.
    parts = split_message("Điểm < 5 & > 3 <b>đậm</b> <script>", limit=4096)
    assert parts == ["Điểm &lt; 5 &amp; &gt; 3 <b>đậm</b> &lt;script&gt;"]


def test_blank_lines_at_a_cut_make_no_empty_part():
    parts = split_message("a" * 10 + "\n\n\n\n" + "b" * 10, limit=10)
    assert parts == ["a" * 10, "b" * 10]


def test_an_empty_text_stays_one_empty_part():
    assert split_message("") == [""]


# -- escaping -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Lê <Văn> Tám", "Phòng Đào tạo & NCKH", "A&amp;B", "</b>"])
def test_an_escaped_name_reads_as_typed(name):
    post = f"<b>{esc(name)}</b>"
    assert tokens(post, strict=True)
    assert visible(post) == name


def test_an_attribute_value_escapes_quotes():
    href = esc_attr('https://x.vn/?q="a"&b=<c>')
    assert visible(f'<a href="{href}">x</a>', strict=True) == "x"
    assert '"' not in href


def test_sender_html_keeps_the_senders_formatting():
    typed = (
        '<b>Chúc mừng</b> <i>thầy</i> <a href="https://cd.edu.vn">trường</a> <tg-spoiler>bí mật</tg-spoiler>'
    )
    assert sender_html(typed) == typed


def test_sender_html_escapes_what_is_not_telegram_formatting():
    assert sender_html("1 < 2 & <script>alert(1)</script>") == (
        "1 &lt; 2 &amp; &lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert sender_html("<b>không đóng") == "<b>không đóng</b>"
    assert sender_html("đóng thừa</i>") == "đóng thừa"
    assert sender_html('<a href="x" onclick="y">z</a>') == '<a href="x">z</a>'
    assert sender_html("Ngo\u0302") == "Ngô"  # NFC


def test_strict_parsing_refuses_what_telegram_refuses():
    for bad in ("<b>open", "close</b>", "<b><i>x</b></i>", "a < b", "&nbsp;", "<script>x</script>"):
        with pytest.raises(HtmlError):
            tokens(bad, strict=True)
    assert visible("&#128512; &#x1F600; &quot;", strict=True) == '😀 😀 "'


# -- properties ---------------------------------------------------------------------------------------
VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐƯƠ"
piece = st.one_of(
    st.text(alphabet=VI_LETTERS, min_size=1, max_size=12),
    st.sampled_from([" ", " ", " ", "\n", "&amp;", "&lt;", "&gt;", "😀", "👍🏽", "e\u0301", "<", "&", "  "]),
    st.text(min_size=1, max_size=3),
)


@st.composite
def html_texts(draw):
    out: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        chunk = "".join(draw(st.lists(piece, max_size=8)))
        tag = draw(st.sampled_from([None, "b", "i", "a", "code", "tg-spoiler", "blockquote"]))
        if tag is None:
            out.append(chunk)
        elif tag == "a":
            out.append(f'<a href="https://x.vn/?a=1&amp;b=2">{chunk}</a>')
        else:
            out.append(f"<{tag}>{chunk}</{tag}>")
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(html_texts(), st.integers(min_value=2, max_value=80))
def test_every_part_fits_is_well_formed_and_rejoins(text, limit):
    parts = split_message(text, limit=limit)
    for part in parts:
        assert visible_length(part, strict=True) <= limit
        assert well_formed(part)
        assert part == "" or visible(part).strip()
    assert_rejoins(text, parts, limit)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=VI_LETTERS + " ", max_size=60), max_size=40), st.integers(20, 200))
def test_lines_that_fit_are_never_broken(lines, limit):
    text = "\n".join(lines)
    parts = split_message(text, limit=limit)
    if all(utf16_len(line) <= limit for line in lines):
        kept = [line for part in parts for line in part.split("\n")]
        assert [line for line in kept if line.strip()] == [line for line in lines if line.strip()]


def test_sender_html_of_a_real_message_keeps_its_entities_and_escapes_its_text():
    from datetime import UTC, datetime

    from aiogram.types import Chat, Message, MessageEntity

    text = "Điểm < 5 & <b> gõ tay, đậm, liên kết 😀 cuối"
    start = text.index("đậm")
    link = text.index("liên kết")
    utf16 = utf16_len  # entity offsets are UTF-16, as Telegram sends them
    msg = Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=1, type="private"),
        text=text,
        entities=[
            MessageEntity(type="bold", offset=utf16(text[:start]), length=3),
            MessageEntity(type="text_link", offset=utf16(text[:link]), length=8, url="https://x.vn/?a=1&b=2"),
        ],
    )
    post = sender_html(msg.html_text)
    assert "<b>đậm</b>" in post and '<a href="https://x.vn/?a=1&amp;b=2">liên kết</a>' in post
    assert visible(post, strict=True) == text  # the typed "<b>" stays text
