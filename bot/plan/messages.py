"""Texts of plan-file problems: keys of the `plan` catalogues, `bot/locales/{vi,en}/plan.po`.

Each problem is a key plus parameters; the text is only made when it is shown, in the locale asked
for. A parameter may itself be a `Phrase` or a `Listing`, rendered in the same locale. `str()` of a
problem (logs, exceptions) is English; the CLI and the chat pass the reader's locale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import t

PREFIX = "plan-"
DIAGNOSTIC_LOCALE = "en"


@dataclass(frozen=True)
class Phrase:
    """A catalogue text used as a parameter of another one."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, locale: str) -> str:
        return render(self.key, self.params, locale)

    def __str__(self) -> str:
        return self.render(DIAGNOSTIC_LOCALE)


@dataclass(frozen=True)
class Listing:
    """'a, b or c' (or: 'a, b and c'; in Vietnamese 'hoặc' / 'và'); `quoted` puts each in '...'."""

    values: tuple[str, ...]
    conjunction: str = "or"  # or | and
    quoted: bool = False

    def render(self, locale: str) -> str:
        items = [f"'{v}'" if self.quoted else str(v) for v in self.values]
        if len(items) < 2:
            return "".join(items)
        word = t(f"plan-word-{self.conjunction}", locale=locale)
        return f"{', '.join(items[:-1])} {word} {items[-1]}"

    def __str__(self) -> str:
        return self.render(DIAGNOSTIC_LOCALE)


def is_problem_key(key: str) -> bool:
    """A pydantic error type raised by the schema with one of our keys."""
    return key.startswith(PREFIX)


def template(key: str, locale: str = DIAGNOSTIC_LOCALE) -> str:
    """The text of `key` with its placeholders unfilled (the key itself when unknown)."""
    return t(key, locale=locale)


def _value(value: Any, locale: str) -> Any:
    """A parameter as shown: anything with a `render(locale)` (Phrase, Listing, ...) is rendered."""
    method = getattr(value, "render", None)
    return method(locale) if callable(method) and not isinstance(value, str) else value


def render(key: str, params: Mapping[str, Any] | None = None, locale: str | None = None) -> str:
    """The text of a problem in `locale` (default: English, for logs); unknown keys show as the key."""
    locale = locale or DIAGNOSTIC_LOCALE
    text = template(key, locale)
    values = {name: _value(v, locale) for name, v in (params or {}).items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def known_list(codes: Iterable[str]) -> str | Phrase:
    """'a, b, c' sorted, or the word 'none'."""
    listed = ", ".join(sorted(codes))
    return listed or Phrase("plan-word-none")
