"""Telegram's HTML parse mode: what it accepts, what the reader sees, and how long Telegram counts it.

`tokens(source)` reads HTML the way Telegram does: the tags it supports (with the attributes it reads), the
entities `&lt; &gt; &amp; &quot;` and every numeric one, and plain characters. Strictly, anything else is
an error, as Telegram answers "can't parse entities"; leniently (`strict=False`), what is not a supported
tag or entity is taken as text, a close without its open is dropped and what is left open is closed at the
end, so the tokens always make well-formed HTML again. Telegram counts its limits (4096 per message, 1024
per caption) on the visible text in UTF-16 code units: an emoji outside the BMP counts 2.

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

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*>")
_ATTR = re.compile(r"""([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")


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


def _char(ch: str) -> Token:
    return Token("char", html.escape(ch, quote=False), char=ch)


def _close_to(stack: list[Token], name: str, out: list[Token]) -> None:
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


def tokens(source: str, *, strict: bool = True) -> list[Token]:
    out: list[Token] = []
    stack: list[Token] = []
    i = 0
    while i < len(source):
        ch = source[i]
        m = _TAG.match(source, i) if ch == "<" else _ENTITY.match(source, i) if ch == "&" else None
        if m is not None and ch == "<" and m.group(2).lower() in TAGS:
            closing, name = m.group(1) == "/", m.group(2).lower()
            if not closing:
                stack.append(Token("open", f"<{name}{_attrs(name, m.group(3))}>", name))
                out.append(stack[-1])
            elif any(t.name == name for t in stack) and (not strict or stack[-1].name == name):
                _close_to(stack, name, out)
            elif strict:
                raise HtmlError(f"unexpected end tag </{name}> at {i}")
            i = m.end()
            continue
        decoded = _entity(m) if m is not None and ch == "&" else None
        if decoded is not None:
            out.append(_char(decoded))
            i = m.end()  # type: ignore[union-attr]
            continue
        if strict and ch == "<":
            raise HtmlError(f"unsupported start tag at {i}")
        if strict and ch == "&" and m is not None:
            raise HtmlError(f"unsupported HTML entity {m.group(0)!r} at {i}")
        out.append(_char(ch))
        i += 1
    if stack and strict:
        raise HtmlError(f"can't find end tag corresponding to start tag <{stack[-1].name}>")
    out.extend(Token("close", f"</{t.name}>", t.name) for t in reversed(stack))
    return out


def visible(source: str, *, strict: bool = False) -> str:
    """The text the reader sees: tags dropped, entities decoded."""
    return "".join(t.char for t in tokens(source, strict=strict))


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (a character outside the BMP counts 2)."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def visible_length(source: str, *, strict: bool = False) -> int:
    return utf16_len(visible(source, strict=strict))


def well_formed(source: str) -> str:
    """`source` made acceptable to Telegram: supported formatting kept, everything else escaped."""
    return "".join(t.raw for t in tokens(source, strict=False))
