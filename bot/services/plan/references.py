"""The rows of other features that point at plan rows.

Features declare their foreign keys to plan rows with `register_reference(...)` at import; a reload that
would drop a row they point at is refused (`loading.LoadingService`), naming what refers to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.i18n import t

RefTarget = Literal["commendation", "round", "movement", "school_year"]


@dataclass(frozen=True)
class Reference:
    """Rows of another feature whose `column` holds the id of a plan row of kind `target`."""

    column: Any  # a model attribute (Nomination.title_id) or a table column (table.c.title_id)
    target: RefTarget
    label: str  # a catalogue key naming the referring records (shown as is when not a key)

    def render(self, locale: str | None = None) -> str:
        """The label in `locale` (a parameter of a problem's text is rendered this way)."""
        return t(self.label, locale=locale)


_REFERENCES: list[Reference] = []


def register_reference(column: Any, target: RefTarget, label: str) -> Reference:
    """Declare that `column` refers to plan rows of kind `target`; a reload may not drop those rows."""
    ref = Reference(column, target, label)
    if ref not in _REFERENCES:
        _REFERENCES.append(ref)
    return ref


def unregister_reference(ref: Reference) -> None:
    if ref in _REFERENCES:
        _REFERENCES.remove(ref)


def references() -> list[Reference]:
    return list(_REFERENCES)
