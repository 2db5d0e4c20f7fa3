"""Text helpers: names, search keys, escaping and splitting long messages."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

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


def plain(text: str | None) -> str:
    """HTML as plain text (for alerts and terminals): tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text or ""))


def split_message(text: str, limit: int = 4096) -> list[str]:
    """Split on line boundaries so that each part fits `limit` characters; a longer line is cut."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in [line[i : i + limit] for i in range(0, len(line), limit)] or [""]:
            add = len(piece) + (1 if current else 0)
            if current and size + add > limit:
                parts.append("\n".join(current))
                current, size, add = [], 0, len(piece)
            current.append(piece)
            size += add
    if current:
        parts.append("\n".join(current))
    return parts


def clip(text: str, limit: int) -> str:
    """`text` escaped for HTML, cut (with …) so that the escaped result has at most `limit` characters."""
    out: list[str] = []
    size = 0
    for ch in text:
        e = esc(ch)
        if size + len(e) > limit - 1:
            out.append("…")
            return "".join(out)
        out.append(e)
        size += len(e)
    return "".join(out)


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
    """Escape and clip user texts so that all of them fit `budget` characters."""
    escaped = [len(esc(p)) for p in parts]
    limits = fair_share(escaped, budget)
    return [esc(p) if limits[i] >= escaped[i] else clip(p, limits[i]) for i, p in enumerate(parts)]
