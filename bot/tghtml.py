"""Telegram's HTML parse mode: what it accepts, what the reader sees, and how long Telegram counts it.

`tokens(source)` reads HTML the way Telegram does: the tags it supports (with the attributes it reads), the
entities `&lt; &gt; &amp; &quot;` and every numeric one, and plain characters. Strictly, anything else is
an error, as Telegram answers "can't parse entities"; leniently (`strict=False`), what is not a supported
tag or entity is taken as text, a close without its open is dropped and what is left open is closed at the
end, so the tokens always make well-formed HTML again. Telegram counts its limits (4096 per message, 1024
per caption) on the visible text in UTF-16 code units: an emoji outside the BMP counts 2.

The source is read in runs (`pieces`): one search finds where each run of plain text ends, so reading is
linear with no call per character (the fake Bot API checks every message's length with it; decision 31).

No aiogram here: services and the CLI use it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Tag -> the attributes Telegram reads on it (others are dropped when rebuilt).
TAGS: dict[str, tuple[str, ...]] = {
    "b": (),
    "strong": (),
    "i": (),
    "em": (),
    "u": (),
    "ins": (),
    "s": (),
    "strike": (),
    "del": (),
    "tg-spoiler": (),
    "span": ("class",),
    "a": ("href",),
    "code": ("class",),
    "pre": (),
    "blockquote": ("expandable",),
    "tg-emoji": ("emoji-id",),
}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# One tag: its name followed by whitespace and attributes, or by ">" (`[^<>]*` cannot run past the next tag,
# so each "<" is read once).
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
_ATTR = re.compile(r"""([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_MARKUP = re.compile(r"[<&]")  # where a run of plain text ends


class HtmlError(ValueError):
    """What Telegram would refuse with "Bad Request: can't parse entities"."""


@dataclass(frozen=True)
class Token:
    kind: str  # open | close | char
    raw: str  # as it is written in well-formed HTML
    name: str = ""  # the tag, for open and close
    char: str = ""  # the visible character, for char


def _attrs(name: str, text: str) -> str:
    """The attributes Telegram reads, written again with their values escaped."""
    out = []
    for m in _ATTR.finditer(text):
        key = m.group(1).lower()
        if key in TAGS[name]:
            value = next((g for g in m.groups()[1:] if g is not None), None)
            out.append(key if value is None else f'{key}="{html.escape(html.unescape(value))}"')
    return "".join(" " + a for a in out)


def _entity(m: re.Match[str]) -> str | None:
    dec, hexa, named = m.groups()
    if named is not None:
        return NAMED.get(named)
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


class _Chars(dict[str, Token]):
    """One shared token per character (tokens are frozen): a run of text becomes tokens with no call each."""

    def __missing__(self, ch: str) -> Token:
        tok = self[ch] = Token("char", html.escape(ch, quote=False), char=ch)
        return tok


_CHARS = _Chars()


def _close_to(stack: list[Token], name: str, out: list[str | Token]) -> None:
    """Close `name` (leniently: the tags opened inside it close first and open again after it)."""
    inner: list[Token] = []
    while stack[-1].name != name:
        inner.append(stack.pop())
        out.append(Token("close", f"</{inner[-1].name}>", inner[-1].name))
    stack.pop()
    out.append(Token("close", f"</{name}>", name))
    for tag in reversed(inner):
        stack.append(tag)
        out.append(tag)


def _tag(m: re.Match[str], at: int, stack: list[Token], out: list[str | Token], strict: bool) -> None:
    closing, name = m.group(1) == "/", m.group(2).lower()
    if not closing:
        stack.append(Token("open", f"<{name}{_attrs(name, m.group(3) or '')}>", name))
        out.append(stack[-1])
    elif any(t.name == name for t in stack) and (not strict or stack[-1].name == name):
        _close_to(stack, name, out)
    elif strict:
        raise HtmlError(f"unexpected end tag </{name}> at {at}")


def pieces(source: str, *, strict: bool = True) -> list[str | Token]:
    """`source` read as Telegram reads it, in pieces: a `str` is visible text (a run of plain characters or
    one decoded entity), a `Token` is a tag. Runs are found with one search each, so the cost is linear in
    the length of `source` with no call per character."""
    out: list[str | Token] = []
    stack: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        found = _MARKUP.search(source, i)
        j = n if found is None else found.start()
        if j > i:
            out.append(source[i:j])
        if found is None:
            break
        i = j
        if source[i] == "<":
            m = _TAG.match(source, i)
            if m is not None and m.group(2).lower() in TAGS:
                _tag(m, i, stack, out, strict)
                i = m.end()
                continue
            if strict:
                raise HtmlError(f"unsupported start tag at {i}")
            out.append("<")
            i += 1
            continue
        m = _ENTITY.match(source, i)
        decoded = _entity(m) if m is not None else None
        if decoded is not None:
            out.append(decoded)
            i = m.end()  # type: ignore[union-attr]
            continue
        if strict and m is not None:
            raise HtmlError(f"unsupported HTML entity {m.group(0)!r} at {i}")
        out.append("&")
        i += 1
    if stack and strict:
        raise HtmlError(f"can't find end tag corresponding to start tag <{stack[-1].name}>")
    out.extend(Token("close", f"</{t.name}>", t.name) for t in reversed(stack))
    return out


def tokens(source: str, *, strict: bool = True) -> list[Token]:
    """`pieces` with the visible text one token per character (what splitting needs)."""
    out: list[Token] = []
    for piece in pieces(source, strict=strict):
        if isinstance(piece, str):
            out.extend(map(_CHARS.__getitem__, piece))
        else:
            out.append(piece)
    return out


def visible(source: str, *, strict: bool = False) -> str:
    """The text the reader sees: tags dropped, entities decoded."""
    return "".join(p for p in pieces(source, strict=strict) if isinstance(p, str))


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (a character outside the BMP counts 2; a lone
    surrogate, which Python strings may hold, counts 1)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def visible_length(source: str, *, strict: bool = False) -> int:
    return utf16_len(visible(source, strict=strict))


def well_formed(source: str) -> str:
    """`source` made acceptable to Telegram: supported formatting kept, everything else escaped."""
    return "".join(
        html.escape(p, quote=False) if isinstance(p, str) else p.raw for p in pieces(source, strict=False)
    )
