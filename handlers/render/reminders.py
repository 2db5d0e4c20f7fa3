"""The reminders' texts: a person's short reminder with its act-now button, the unit heads' daily summary,
and the lines of /reminders. No aiogram: the buttons are reply_markup JSON whose callback data
handlers.reminders.RemActCb parses ("rm:<act>"; a test packs both and compares).
"""

from __future__ import annotations

from typing import Any

from bot.clock import fmt_when
from bot.i18n import t, tn
from bot.services.acknowledgement import offer_markup
from bot.services.reminder_audiences import Item, Items, Named, Occurrence, Recipient, item_count
from bot.services.reminder_failures import GaveUp
from bot.services.reminders import PENDING, Upcoming
from bot.text import esc, split_message
from bot.tghtml import visible_length

# What a person's reminder asks, by deadline kind: the text's key and its act-now button ("rm:<act>").
PERSONAL: dict[str, tuple[str, str | None]] = {
    "registration_close": ("reminder-register", "reg"),
    "acknowledgement": ("reminder-acknowledge", None),  # the plan's own two buttons (acknowledgement)
    "nominations_close": ("reminder-nominations", "nom"),
    "review_meeting": ("reminder-review_meeting", None),
    "ceremony": ("reminder-ceremony", None),
    "province_report": ("reminder-province-report", None),
    "voting_open": ("reminder-voting-open", None),
    "voting_close": ("reminder-voting-close", None),
}
# What a person told of a deadline that is not their duty (the secretary, the principal) reads instead.
NOTICE = {
    "registration_close": "reminder-notice-register",
    "acknowledgement": "reminder-notice-acknowledge",
}
SUMMARY_ITEMS = (
    "not_acknowledged",
    "not_registered",
    "unit_not_registered",
    "to_endorse",
    "nominated_nobody",
    "deeds_to_verify",
    "reports_to_review",
)
# Each kind of item opens the list where the head acts on it (handlers.reminders.act_now).
SUMMARY_BUTTONS = {
    "not_acknowledged": "stat",  # the unit's /status, with "Nhắc" for those who have not acted
    "not_registered": "stat",
    "unit_not_registered": "reg",
    "to_endorse": "preg",  # /pending's registrations
    "nominated_nobody": "nom",
    "deeds_to_verify": "pdeed",  # /pending's good deeds
    "reports_to_review": "prep",  # /pending's achievement reports
}
NAMED = 10  # names an item shows, then "và N người khác"
LIMIT = 4096  # a message, in UTF-16 code units as Telegram counts them


def act_data(act: str) -> str:
    return f"rm:{act}"


def _button(act: str, locale: str) -> dict[str, Any]:
    return {"text": t(f"reminder-btn-{act}", locale=locale), "callback_data": act_data(act)}


def personal(occ: Occurrence, person: Recipient, audience: str) -> tuple[str, dict[str, Any] | None]:
    """Short and personal: what is missing and by when (the house's one date format), and a button. One of
    an audience by role (the secretary) is told of the deadline only: they may have done their part."""
    locale = person.language
    key, act = PERSONAL[occ.kind]
    if audience != PENDING and occ.kind in NOTICE:
        key, act = NOTICE[occ.kind], None
    params = {
        "name": esc(person.full_name),
        "year": esc(occ.school_year),
        "round": esc(occ.round_name(locale)),
        "when": fmt_when(occ.deadline, locale),
    }
    if occ.kind in ("review_meeting", "ceremony") and occ.place:
        key = f"reminder-{occ.kind}-place"
        params["place"] = esc(occ.place)
    text = t(f"{key}-principal" if person.principal else key, locale=locale, **params)  # by the title
    if occ.kind == "acknowledgement" and key == "reminder-acknowledge":
        return text, offer_markup(occ.period_id, locale)
    markup = {"inline_keyboard": [[_button(act, locale)]]} if act else None
    return text, markup


def _what(occ: Occurrence, locale: str) -> str:
    return t(
        f"reminder-what-{occ.kind}",
        locale=locale,
        year=esc(occ.school_year),
        round=esc(occ.round_name(locale)),
        when=fmt_when(occ.deadline, locale),
    )


Block = tuple[str | None, list[tuple[Occurrence, Items]]]


def _names(people: list[Named], cap: int, language: str) -> str:
    shown = ", ".join(esc(p.name) for p in people[:cap])
    rest = len(people) - min(cap, len(people))
    if not rest:
        return shown
    others = tn("reminder-and-others", rest, locale=language)
    return f"{shown} {others}" if shown else others


def _item(item: str, value: Item, cap: int, language: str) -> list[str]:
    """An item's line; a list of people is named (up to `cap`), those not on the bot apart."""
    line = "• " + tn(f"reminder-item-{item}", item_count(value), locale=language)
    if not isinstance(value, list):
        return [line]
    joined = [p for p in value if p.joined]
    apart = [p for p in value if not p.joined]
    out = [line + (": " + _names(joined, cap, language) if joined else "")]
    if apart:
        out.append("  " + t("reminder-not-joined", locale=language, names=_names(apart, cap, language)))
    return out


def _summary(name: str, language: str, blocks: list[Block], cap: int) -> str:
    several = any(unit for unit, _ in blocks)
    parts = [t("reminder-summary-units" if several else "reminder-summary", locale=language, name=esc(name))]
    for unit, lines in blocks:
        if unit:
            parts += ["", f"<b>{esc(unit)}</b>"]
        for i, (occ, items) in enumerate(lines):
            parts += [_what(occ, language)] if unit and i == 0 else ["", _what(occ, language)]
            for item in SUMMARY_ITEMS:
                if item in items:
                    parts += _item(item, items[item], cap, language)
    return "\n".join(parts)


def summary(name: str, language: str, blocks: list[Block]) -> str:
    """One message a day: per unit (named when the head heads two) and deadline, what the unit still has to
    do, naming the people (up to 10). Fewer names when it would not fit one message (4096)."""
    for cap in (NAMED, 5, 3, 1, 0):
        text = _summary(name, language, blocks, cap)
        if visible_length(text) <= LIMIT:
            return text
    return split_message(text, LIMIT)[0]


def summary_markup(blocks: list[Block], language: str) -> dict[str, Any] | None:
    """A button for each kind of item, each opening the list where the head acts on it."""
    acts: list[str] = []
    for item in SUMMARY_ITEMS:
        act = SUMMARY_BUTTONS[item]
        if act not in acts and any(item_count(items.get(item, 0)) for _, ls in blocks for _, items in ls):
            acts.append(act)
    return {"inline_keyboard": [[_button(a, language)] for a in acts]} if acts else None


class ReminderTexts:
    """What the service words through (bot.services.reminders.ReminderTexts)."""

    personal = staticmethod(personal)
    summary = staticmethod(summary)
    summary_markup = staticmethod(summary_markup)


TEXTS = ReminderTexts()


# -- /reminders ---------------------------------------------------------------------------------------------
def audience_name(name: str, locale: str | None = None) -> str:
    return t(f"reminder-audience-{name}", locale=locale)


def offset_text(offset: str, locale: str | None = None) -> str:
    """ "7d" -> "7 ngày", "3h" -> "3 giờ", "30m" -> "30 phút"."""
    return tn(f"reminder-offset-{offset[-1]}", int(offset[:-1]), locale=locale)


# What the instant of a kind is, in a /reminders line: a deadline unless it is an opening or a meeting.
MOMENT = {"voting_open": "from", "review_meeting": "on", "ceremony": "on"}


def nudge_label(u: Upcoming, locale: str | None = None) -> str:
    """The "Nhắc ngay" button of a rule's occurrence; a unit's own extension names the unit."""
    what = t(f"reminder-kind-{u.occ.kind}", locale=locale)
    if u.occ.unit_id is not None:
        return t(
            "reminder-btn-nudge-unit", locale=locale, what=what, year=u.occ.school_year, unit=u.occ.unit_name
        )
    return t("reminder-btn-nudge", locale=locale, what=what, year=u.occ.school_year)


def upcoming_line(u: Upcoming, locale: str | None = None) -> str:
    if u.expected is not None:
        count = tn("reminder-expected", u.expected, locale=locale)
    elif u.waiting:
        count = t(f"reminder-waiting-{u.waiting}", locale=locale)
    else:
        count = t("reminder-waiting-none", locale=locale)
    if u.occ.round_id is not None:
        scope = esc(u.occ.round_name(locale))
    elif u.occ.unit_id is not None:  # a unit's own extension: named, or it reads as the college's
        scope = t(
            "reminder-scope-unit", locale=locale, year=esc(u.occ.school_year), unit=esc(u.occ.unit_name)
        )
    else:
        scope = t("reminder-scope-year", locale=locale, year=esc(u.occ.school_year))
    line = t(
        "reminder-line",
        locale=locale,
        when=fmt_when(u.send_at, locale),
        kind=t(f"reminder-kind-{u.occ.kind}", locale=locale),
        scope=scope,
        deadline=t(
            f"reminder-line-{MOMENT.get(u.occ.kind, 'due')}",
            locale=locale,
            when=fmt_when(u.occ.deadline, locale),
        ),
        offset=offset_text(u.offset, locale),
        audience=audience_name(u.audience, locale),
        count=count,
    )
    return line + (" " + t("reminder-paused-mark", locale=locale) if u.paused else "")


def gave_up_scope(g: GaveUp, locale: str | None = None) -> str:
    """The round, the unit's own extension, or the college's school year a given-up reminder was of."""
    if g.scope.startswith("r") and g.name(locale):
        return t("reminder-scope-round", locale=locale, round=esc(g.name(locale)))
    if g.scope.startswith("u"):
        return t("reminder-scope-unit", locale=locale, year=esc(g.school_year), unit=esc(g.name(locale)))
    return t("reminder-scope-year", locale=locale, year=esc(g.school_year))


def gave_up_line(g: GaveUp, locale: str | None = None) -> str:
    what = t(f"reminder-kind-{g.kind}", locale=locale)
    return t(
        "reminder-gave-up-line", locale=locale, what=what, scope=gave_up_scope(g, locale), n=len(g.failures)
    )


def gave_up_label(g: GaveUp, locale: str | None = None) -> str:
    """The button of its file: the kind and the school year, and the unit of its own extension."""
    what = t(f"reminder-kind-{g.kind}", locale=locale)
    if g.scope.startswith("u"):
        return t(
            "reminder-btn-gave-up-unit", locale=locale, what=what, year=g.school_year, unit=g.name(locale)
        )
    return t("reminder-btn-gave-up", locale=locale, what=what, year=g.school_year)
