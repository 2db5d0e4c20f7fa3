"""Texts: gettext catalogues, Vietnamese (the source) and English.

Each feature keeps its own catalogue file, `bot/locales/<lang>/<feature>.po`; message ids are keys
such as ``help-title`` and the texts use ``{name}`` placeholders. The catalogues are compiled in
memory at start-up with Babel, so no binary `.mo` file is kept in the repository.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any

from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "en")
DEFAULT_LOCALE = "vi"


def load_catalog(lang: str, path: Path = LOCALES_DIR) -> Catalog:
    merged = Catalog(locale=lang)
    for po in sorted((path / lang).glob("*.po")):
        with po.open("rb") as fp:
            for msg in read_po(fp, locale=lang):
                if msg.id:
                    merged[msg.id] = msg
    return merged


class CatalogI18n(I18n):
    """aiogram's I18n, fed from `.po` files compiled in memory."""

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for lang in LANGUAGES:
            buf = io.BytesIO()
            write_mo(buf, load_catalog(lang, self.path))
            buf.seek(0)
            translations[lang] = gettext.GNUTranslations(buf)
        return translations


_default: CatalogI18n | None = None


def get_i18n() -> CatalogI18n:
    """The current I18n (set by the middleware), else one loaded once for the process."""
    global _default
    current = CatalogI18n.get_current(no_error=True)
    if current is not None:
        return current  # type: ignore[return-value]
    if _default is None:
        _default = CatalogI18n(path=LOCALES_DIR, default_locale=DEFAULT_LOCALE, domain="messages")
    return _default


def t(key: str, /, locale: str | None = None, **params: Any) -> str:
    """The text for `key` in `locale` (default: the current person's), with `{params}` filled in."""
    i18n = get_i18n()
    text = i18n.gettext(key, locale=locale or i18n.current_locale)
    return text.format(**params) if params else text


def normalize_locale(code: str | None) -> str:
    if code:
        code = code.split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LOCALE
