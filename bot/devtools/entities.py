"""What a Telegram client receives for a message the bot sent in HTML: its visible text and its entities.

The fake Bot API keeps what the bot sent (HTML); a message given back to the bot (the message of a pressed
button) must come as Telegram sends it, text and entities, so `message.html_text` rebuilds the HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.tghtml import Token, pieces, utf16_len

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_HREF = re.compile(r'href\s*=\s*"([^"]*)"')


def as_received(source: str | None) -> tuple[str | None, list[dict[str, Any]]]:
    """HTML the bot sent as a client receives it: the visible text and its entities (offsets and lengths in
    UTF-16 code units), so `message.html_text` gives the HTML back, as with Telegram. A message read back
    with its tags as text would be escaped by a handler that edits it (the reader would see "<b>")."""
    if source is None:
        return None, []
    text: list[str] = []
    at = 0
    open_: list[tuple[Token, int]] = []
    entities: list[dict[str, Any]] = []
    for piece in pieces(source, strict=False):
        if isinstance(piece, str):
            text.append(piece)
            at += utf16_len(piece)
        elif piece.kind == "open":
            open_.append((piece, at))
        elif open_:
            tag, start = open_.pop()
            kind = _ENTITY_TYPES.get(tag.name)
            if tag.name == "span" and "tg-spoiler" in tag.raw:
                kind = "spoiler"
            if tag.name == "blockquote" and "expandable" in tag.raw:
                kind = "expandable_blockquote"
            if kind is None or at == start:
                continue
            entity: dict[str, Any] = {"type": kind, "offset": start, "length": at - start}
            if kind == "text_link":
                href = _HREF.search(tag.raw)
                entity["url"] = html.unescape(href.group(1)) if href else ""
            entities.append(entity)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities
