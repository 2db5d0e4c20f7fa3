"""Errors a person can cause: each carries the catalogue key and the parameters that explain it."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    key = "error-generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.key, params)

    def text(self, locale: str | None = None) -> str:
        from bot.i18n import t

        return t(self.key, locale=locale, **self.params)


class NotAllowed(DomainError):
    key = "error-not-allowed"


class NotFound(DomainError):
    key = "error-not-found"
