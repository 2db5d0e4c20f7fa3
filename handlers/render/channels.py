"""The wording of /channels and of the offer to bind a chat (no aiogram)."""

from __future__ import annotations

from bot.i18n import t
from bot.text import esc
from storage.models.channels import ChatBinding
from storage.models.core import Unit


def kind(binding: ChatBinding, locale: str | None = None) -> str:
    return t(
        "channels-kind-channel" if binding.chat_type == "channel" else "channels-kind-group", locale=locale
    )


def purpose(binding: ChatBinding, unit: Unit | None, locale: str | None = None) -> str:
    if binding.purpose == "unit":
        return t("channels-purpose-unit", locale=locale, unit=esc(unit.name if unit else "?"))
    return t(f"channels-purpose-{binding.purpose or 'college'}", locale=locale)


def offer(binding: ChatBinding, locale: str | None = None, *, again: bool = False) -> str:
    key = "channels-rights-back" if again else "channels-added"
    return t(key, locale=locale, kind=kind(binding, locale), title=esc(binding.title))


def no_post(binding: ChatBinding, locale: str | None = None) -> str:
    return t("channels-no-post", locale=locale, title=esc(binding.title))


def bound(binding: ChatBinding, unit: Unit | None, locale: str | None = None) -> str:
    return t(
        "channels-bound",
        locale=locale,
        kind=kind(binding, locale),
        title=esc(binding.title),
        purpose=purpose(binding, unit, locale),
    )


def listing(rows: list[tuple[ChatBinding, Unit | None]], locale: str | None = None) -> str:
    if not rows:
        return t("channels-list-empty", locale=locale)
    lines = [t("channels-list-title", locale=locale)]
    for b, unit in rows:
        params = {"kind": kind(b, locale), "title": esc(b.title)}
        if b.active:
            lines.append(t("channels-list-item", locale=locale, purpose=purpose(b, unit, locale), **params))
        else:
            reason = t(f"channels-reason-{b.retired_reason or 'unbound'}", locale=locale)
            lines.append(t("channels-list-item-off", locale=locale, reason=reason, **params))
    return "\n".join(lines)


def unbound(binding: ChatBinding, locale: str | None = None) -> str:
    return t("channels-unbound-ask", locale=locale, kind=kind(binding, locale), title=esc(binding.title))


def left(binding: ChatBinding, stayed: bool, locale: str | None = None) -> str:
    key = "channels-stayed" if stayed else "channels-left"
    return t(key, locale=locale, kind=kind(binding, locale), title=esc(binding.title))
