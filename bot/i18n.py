"""Texts: gettext catalogues, Vietnamese (the source) and English. Plain Babel and gettext, no aiogram.

Each feature keeps its own catalogue file, `bot/locales/<lang>/<feature>.po`; message ids are keys
such as ``help-title`` and the texts use ``{name}`` placeholders. The catalogues are compiled in
memory with Babel, once per process and language, when a text of that language is first asked for, so no
binary `.mo` file is kept in the repository.

A text that depends on a number is a plural entry (``msgid_plural`` with ``msgstr[0]``, ``msgstr[1]``,
the forms of the language's ``Plural-Forms``: English has two, Vietnamese one) and is read with
``tn(key, n, ...)``; its ``{n}`` is filled with the number.

The current locale is a context variable: the aiogram middleware (`bot.i18n_aiogram`) sets it for each
update; elsewhere (the outbox sender, the CLI) it is the default, unless `use_locale` says otherwise.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "en")
DEFAULT_LOCALE = "vi"

LOCALE: ContextVar[str] = ContextVar("thidua_locale", default=DEFAULT_LOCALE)


def load_catalog(lang: str, path: Path = LOCALES_DIR) -> Catalog:
    """Every `<feature>.po` of `lang`, merged into one Babel catalogue (its Plural-Forms: the language's)."""
    merged = Catalog(locale=lang)
    for po in sorted((path / lang).glob("*.po")):
        with po.open("rb") as fp:
            for msg in read_po(fp, locale=lang):
                if msg.id:
                    merged[msg.id] = msg
    return merged


def key_of(message: Message) -> str:
    """The key of a catalogue entry (a plural entry's id is the pair (msgid, msgid_plural))."""
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def forms_of(message: Message) -> tuple[str, ...]:
    """The texts of a catalogue entry: one for a plain entry, one per plural form for a plural one."""
    return tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)


@cache
def catalogue(lang: str, path: Path = LOCALES_DIR) -> gettext.GNUTranslations:
    """One language's catalogues compiled in memory, the first time a text of that language is asked for: a
    command in Vietnamese never reads the English ones (issue 22)."""
    buf = io.BytesIO()
    write_mo(buf, load_catalog(lang, path))
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def translations(path: Path = LOCALES_DIR) -> dict[str, gettext.GNUTranslations]:
    """Every language's catalogues (aiogram's I18n asks for them all), each compiled once per process."""
    return {lang: catalogue(lang, path) for lang in LANGUAGES}


def current_locale() -> str:
    """The current person's language (set per update), else the default."""
    return LOCALE.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = LOCALE.set(locale)
    try:
        yield
    finally:
        LOCALE.reset(token)


def _translator(locale: str | None) -> gettext.GNUTranslations:
    lang = locale or LOCALE.get()
    return catalogue(lang if lang in LANGUAGES else DEFAULT_LOCALE)


def t(key: str, /, locale: str | None = None, **params: Any) -> str:
    """The text for `key` in `locale` (default: the current person's), with `{params}` filled in."""
    text = _translator(locale).gettext(key)
    return text.format(**params) if params else text


def tn(key: str, n: int, /, locale: str | None = None, **params: Any) -> str:
    """The plural entry `key` in the form for the number `n`, with `{n}` (grouped: 1.250) and `{params}`."""
    text = _translator(locale).ngettext(key, key, n)
    return text.format(n=grouped(n, locale), **params)


def grouped(n: int, locale: str | None = None) -> str:
    """1250 → "1.250" (vi) / "1,250" (en): how the office writes a count."""
    text = f"{n:,}"
    return text if (locale or current_locale()) == "en" else text.replace(",", ".")


def normalize_locale(code: str | None) -> str:
    if code:
        code = code.split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LOCALE


class Texts:
    """The locale as an object (`current_locale`, `use_locale`), for code written against aiogram's I18n."""

    default_locale = DEFAULT_LOCALE

    @property
    def current_locale(self) -> str:
        return LOCALE.get()

    @current_locale.setter
    def current_locale(self, value: str) -> None:
        LOCALE.set(value)

    def use_locale(self, locale: str) -> Any:
        return use_locale(locale)


_TEXTS = Texts()


def get_i18n() -> Texts:
    """The locale of the current update (kept for the handlers that read `get_i18n().current_locale`)."""
    return _TEXTS
