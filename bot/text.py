"""Text helpers: names, search keys, escaping and splitting long messages (HTML parse mode: bot.tghtml)."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Sequence

from bot.tghtml import Token, tokens, utf16_len, well_formed

_TAG = re.compile(r"<[^>]+>")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def search_key(text: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces: 'Nguyễn Thị Hoa' → 'nguyen thi hoa'."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.casefold().split())


def esc(text: object) -> str:
    """Escape user-supplied text for HTML parse mode."""
    return html.escape(str(text), quote=False)


def esc_attr(text: object) -> str:
    """Escape user-supplied text for an HTML attribute value (a link's href): quotes too."""
    return html.escape(str(text), quote=True)


def sender_html(html_text: str | None) -> str:
    """A Telegram message's own formatting, taken from the sender (aiogram's `message.html_text`).

    Its supported tags are kept (attributes rewritten, escaped); anything else is escaped, and what is
    left open is closed, so a pasted "<script>" or a stray "&" cannot break the post it goes into."""
    return well_formed(nfc(html_text or ""))


def plain(text: str | None) -> str:
    """HTML as plain text (for alerts and terminals): tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text or ""))


def split_message(text: str, limit: int = 4096) -> list[str]:
    """HTML cut into parts of at most `limit` visible characters each, as Telegram counts them.

    A part ends at a line break when one fits, else at a space; only a word longer than `limit` is cut,
    and never inside a character's combining marks. The break's newline or space is dropped, and so is a
    part with nothing to read. A tag still open at the end of a part is closed there and opened again at
    the start of the next, so every part is well-formed HTML (text that is not markup is escaped)."""
    toks = tokens(text, strict=False)
    parts: list[str] = []
    stack: list[Token] = []
    at = 0
    for start, end, resume in _breaks(toks, limit):
        for tok in toks[at:start]:  # a dropped separator, or tags of a dropped part
            _track(stack, tok)
        opened = "".join(t.raw for t in stack)
        body = []
        for tok in toks[start:end]:
            _track(stack, tok)
            body.append(tok.raw)
        closed = "".join(f"</{t.name}>" for t in reversed(stack))
        if any(not t.char.isspace() for t in toks[start:end] if t.kind == "char"):
            parts.append(opened + "".join(body) + closed)
        at = end if resume is None else resume
    return parts or [""]


def _track(stack: list[Token], tok: Token) -> None:
    if tok.kind == "open":
        stack.append(tok)
    elif tok.kind == "close":
        stack.pop()


def _width(tok: Token) -> int:
    return utf16_len(tok.char)


def _joins(ch: str, prev: str) -> bool:
    """A cut before `ch` would split one visible character (a combining mark, a joined emoji)."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == "\u200d" or prev == "\u200d"


def _hard_cut(toks: list[Token], start: int, i: int) -> int:
    cut, prev = i, ""
    while cut > start + 1:
        prev = next((t.char for t in reversed(toks[start:cut]) if t.kind == "char"), "")
        if toks[cut].kind != "char" or not _joins(toks[cut].char, prev):
            break
        cut -= 1
    return cut


def _breaks(toks: list[Token], limit: int) -> Iterator[tuple[int, int, int | None]]:
    """(start, end, resume) of each part: tokens [start, end), the next part from `resume` (None: end)."""
    start, n = 0, len(toks)
    while start < n:
        width, i, newline, space = 0, start, None, None
        while i < n and width + _width(toks[i]) <= limit:
            if toks[i].char == "\n":
                newline = i
            elif toks[i].char.isspace():
                space = i
            width += _width(toks[i])
            i += 1
        if i >= n:
            yield start, n, None
            return
        brk = newline if newline is not None else space
        if brk is not None:
            yield start, brk, brk + 1
            start = brk + 1
        else:
            cut = _hard_cut(toks, start, i) if i > start else start + 1  # one character wider than limit
            yield start, cut, None
            start = cut


def clip(text: str, limit: int) -> str:
    """`text` escaped for HTML, cut (with …) so that it shows at most `limit` UTF-16 code units, as Telegram
    counts them: an escaped `&` shows 1, a character outside the BMP (an emoji) counts 2."""
    if utf16_len(text) <= limit:
        return esc(text)
    out: list[str] = []
    size = 0
    for ch in text:
        units = 2 if ord(ch) > 0xFFFF else 1
        if size + units > limit - 1:
            break
        out.append(ch)
        size += units
    return esc("".join(out)) + "…" if limit > 0 else ""


def label(text: str, limit: int = 64) -> str:
    """A button's label (plain text) of at most `limit` characters, cut after a whole word with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip(" ,;:–-") + "…"


def fair_share(lengths: Sequence[int], budget: int) -> list[int]:
    """Limits for parts of these lengths that fit `budget` together; short parts keep all they need."""
    limits = [0] * len(lengths)
    todo = sorted(range(len(lengths)), key=lambda i: lengths[i])
    left = max(budget, 0)
    for n, i in enumerate(todo):
        share = left // (len(todo) - n)
        limits[i] = min(lengths[i], share)
        left -= limits[i]
    return limits


def fit(parts: Sequence[str], budget: int) -> list[str]:
    """Escape and clip user texts so that all of them show at most `budget` UTF-16 code units together."""
    lengths = [utf16_len(p) for p in parts]
    limits = fair_share(lengths, budget)
    return [esc(p) if limits[i] >= lengths[i] else clip(p, limits[i]) for i, p in enumerate(parts)]
