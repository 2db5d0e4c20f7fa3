"""Registration texts: the card of a registration (for its owner, the head asked to endorse it, the
secretary), the notice to its owner when it is endorsed or returned, and what `/register` says when no
school year contains today.

The service queues the request and the notice through the outbox; it is handed `TEXTS` (as it is handed
the buttons), so the wording stays here and the service holds only the rules.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import fmt_when
from bot.i18n import t
from bot.services.registration import NoSchoolYear, View
from bot.text import esc
from storage.models.registration import RegistrationState, RegistrationSubject


def card(view: View, locale: str | None = None, *, title_key: str = "registration-card-title") -> str:
    item = view.item
    kind = t(f"registration-subject-{item.subject}", locale=locale)
    lines = [
        t(title_key, locale=locale, year=view.school_year, n=item.id),
        t("registration-card-owner", locale=locale, kind=kind, name=esc(view.owner)),
    ]
    if item.subject == RegistrationSubject.INDIVIDUAL.value:
        lines.append(t("registration-card-unit", locale=locale, unit=esc(view.unit)))
    lines.append(t("registration-card-title-aimed", locale=locale, title=esc(view.title)))
    lines.append(t("registration-card-movements", locale=locale, movements=esc("; ".join(view.movements))))
    lines.append(t("registration-card-commitments", locale=locale, text=esc(item.commitments)))
    lines.append(t("registration-card-state", locale=locale, state=view.state_label(locale)))
    if item.return_reason and (item.state == RegistrationState.RETURNED.value or view.draft):
        lines.append(t("registration-card-reason", locale=locale, reason=esc(item.return_reason)))
    if item.decided_at is not None and view.decider and not view.draft:
        lines.append(
            t(
                f"registration-card-decided-{item.state}"
                if item.state in (RegistrationState.ENDORSED.value, RegistrationState.RETURNED.value)
                else "registration-card-decided",
                locale=locale,
                name=esc(view.decider),
                at=fmt_when(item.decided_at, locale),
            )
        )
    return "\n".join(lines)


def decided_for_owner(view: View, locale: str | None, *, returned: bool) -> str:
    """The owner's notice that a head (or the secretary) endorsed or returned it, with the card."""
    key = "registration-returned-to-owner" if returned else "registration-endorsed-to-owner"
    notice = t(key, locale=locale, year=view.school_year, name=esc(view.decider or ""))
    return notice + "\n\n" + card(view, locale)


def extension_told(
    name: str, year: str, closes: datetime, locale: str | None, *, principal: bool = False
) -> str:
    """To someone with no registration that counts: the window now runs to `closes` (issue 18, D20); the
    principal addressed by the title."""
    return t(
        "registration-ext-told-principal" if principal else "registration-ext-told",
        locale=locale,
        name=esc(name),
        year=esc(year),
        closes=fmt_when(closes, locale),
    )


def no_year_text(e: NoSchoolYear, locale: str | None = None) -> str:
    """What `/register` says when no school year contains today."""
    p = e.params
    parts = [t("registration-no-year", locale=locale)]
    if p.get("last"):
        parts.append(t("registration-no-year-last", locale=locale, year=p["last"], ended=p["ended"]))
    if p.get("next") and p.get("opens") is not None:
        parts.append(
            t("registration-no-year-next", locale=locale, year=p["next"], opens=fmt_when(p["opens"], locale))
        )
    else:
        parts.append(t("registration-no-year-none", locale=locale))
    return "\n".join(parts)


class RegistrationTexts:
    """What the service words through (bot.services.registration.RegistrationTexts)."""

    card = staticmethod(card)
    decided_for_owner = staticmethod(decided_for_owner)
    extension_told = staticmethod(extension_told)


TEXTS = RegistrationTexts()
