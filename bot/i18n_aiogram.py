"""aiogram's I18n over our catalogues (`bot.i18n`): the middleware's `use_locale` sets our locale variable.

Only the dispatcher imports this module; the domain reads texts through `bot.i18n`, which imports no aiogram.
"""

from __future__ import annotations

import gettext

from aiogram.utils.i18n import I18n

from bot import i18n


class CatalogI18n(I18n):
    """aiogram's I18n whose translations and current locale are those of `bot.i18n`."""

    def __init__(self, *, default_locale: str = i18n.DEFAULT_LOCALE) -> None:
        super().__init__(path=i18n.LOCALES_DIR, default_locale=default_locale, domain="messages")
        self.ctx_locale = i18n.LOCALE  # one variable: `t()` and aiogram's gettext read the same locale

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        return i18n.translations(self.path)
