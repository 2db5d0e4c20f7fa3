"""Cards that fit Telegram's limits, shared by the features' texts.

A card is a list of lines: HTML of our own (`str`), or a `Slot` holding a person's text (plain: escaped
here) between HTML of our own. `fit` shortens the people's texts with "…" so that the card fits 4096
UTF-16 code units as Telegram counts them (the visible text, after the tags), the short texts kept whole
and the long ones sharing what is left; `Card.cut` says whether anything was shortened, so the caller offers
"Xem đầy đủ". `whole` gives the card uncut, split into parts that each fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import t
from bot.text import clip, esc, fair_share, split_message
from bot.tghtml import utf16_len, visible_length

LIMIT = 4096  # a message's text; a caption's is 1024
_MARK = "\ue000"  # stands for a slot's text while its catalogue line is worded


@dataclass(frozen=True)
class Slot:
    """A person's text in a line: `before` and `after` are HTML; `most` caps it on the card (UTF-16)."""

    text: str
    before: str = ""
    after: str = ""
    most: int | None = None


Line = str | Slot


@dataclass(frozen=True)
class Card:
    text: str
    cut: bool = False  # something was shortened: offer "Xem đầy đủ"


def slot(
    key: str, field: str, text: str, *, locale: str | None = None, most: int | None = None, **params: object
) -> Slot:
    """The catalogue line `key` with a person's `text` as its parameter `field`."""
    before, _, after = t(key, locale=locale, **params, **{field: _MARK}).partition(_MARK)
    return Slot(text, before, after, most)


def clip_to(text: str, budget: int) -> str:
    """`text` escaped and cut with "…" to at most `budget` visible UTF-16 code units."""
    return clip(text, budget) if budget > 0 else ""


def fit(lines: Sequence[Line], limit: int = LIMIT) -> Card:
    """The lines joined, the people's texts shortened (with "…") as needed to fit `limit`."""
    slots = [line for line in lines if isinstance(line, Slot)]
    fixed = "\n".join(line if isinstance(line, str) else line.before + line.after for line in lines)
    wants = [utf16_len(s.text) if s.most is None else min(utf16_len(s.text), s.most) for s in slots]
    shares = iter(fair_share(wants, limit - visible_length(fixed)))
    out, cut = [], False
    for line in lines:
        if isinstance(line, str):
            out.append(line)
            continue
        share = next(shares)
        cut = cut or share < utf16_len(line.text)
        out.append(line.before + clip_to(line.text, share) + line.after)
    return Card("\n".join(out), cut)


def whole(lines: Sequence[Line], limit: int = LIMIT) -> list[str]:
    """The lines uncut, in parts of at most `limit` (split at line breaks, tags kept whole)."""
    text = "\n".join(
        line if isinstance(line, str) else line.before + esc(line.text) + line.after for line in lines
    )
    return split_message(text, limit)
