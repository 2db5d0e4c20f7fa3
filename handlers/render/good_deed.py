"""Good-deed texts: the decider's card, the album's confirmation, the outcome for the reporter, the note
for the person concerned, the list. The service queues these; it is handed `TEXTS`.

Every card fits Telegram's limit (handlers/render/cards.py): a deed's text is at most 2000 characters,
which can be 4000 UTF-16 code units; the text and the reason are shortened with "…" when needed, and
`card(...).cut` tells the handler to offer "Xem đầy đủ", which sends `whole_card`.
"""

from __future__ import annotations

from bot.clock import fmt_date, fmt_when
from bot.i18n import t, tn
from bot.services.good_deed import Counts, DeedView
from bot.text import esc
from handlers.render.cards import Card, Line, Slot, clip_to, fit, slot, whole


def _about(view: DeedView, locale: str | None) -> str:
    if view.deed.subject == "unit":
        return t("gooddeed-about-unit", locale=locale, unit=esc(view.about))
    return t("gooddeed-about-person", locale=locale, name=esc(view.about), unit=esc(view.unit))


def _evidence(view: DeedView, locale: str | None) -> str | None:
    if view.photos:
        return tn("gooddeed-card-photos", len(view.photos), locale=locale)
    if view.document is not None:
        return t("gooddeed-card-document", locale=locale, name=esc(view.document.name or ""))
    return None


def _lines(view: DeedView, locale: str | None, title_key: str) -> list[Line]:
    d = view.deed
    lines: list[Line] = [t(title_key, locale=locale), _about(view, locale)]
    reporter = t("gooddeed-card-reporter", locale=locale, name=esc(view.reporter))
    if d.anonymous:
        reporter += " " + t("gooddeed-card-anonymous", locale=locale)
    lines += [reporter, t("gooddeed-card-day", locale=locale, date=fmt_date(d.happened_on))]
    if (ev := _evidence(view, locale)) is not None:
        lines.append(ev)
    lines.append(t("gooddeed-card-state", locale=locale, state=t(f"gooddeed-state-{d.state}", locale=locale)))
    if d.state != "submitted" and view.decider and d.decided_at is not None:
        when = fmt_when(d.decided_at, locale)
        lines.append(t("gooddeed-card-decided", locale=locale, name=esc(view.decider), when=when))
    if d.reason:
        lines.append(slot("gooddeed-card-reason", "reason", d.reason, locale=locale))
    return [*lines, "", Slot(d.text)]


def card(view: DeedView, locale: str | None = None, *, title_key: str = "gooddeed-card-title") -> Card:
    """The whole deed as its decider (and the secretary) sees it: the reporter is always named here. Within
    Telegram's limit: `.cut` when the text or the reason was shortened."""
    return fit(_lines(view, locale, title_key))


def whole_card(view: DeedView, locale: str | None = None) -> list[str]:
    """The card uncut ("Xem đầy đủ"), in parts."""
    return whole(_lines(view, locale, "gooddeed-card-title"))


def preview(lines: list[str], text: str, ask: str) -> Card:
    """The reporter's preview: the lines, the deed's text (shortened to fit), what to press."""
    return fit([*lines, "", Slot(text), "", ask])


class GoodDeedTexts:
    def album_received(self, n: int, locale: str) -> str:
        return tn("gooddeed-album-received", n, locale=locale)

    def album_refused(self, locale: str) -> str:
        return t("gooddeed-album-too-large", locale=locale, max=5)

    def request_card(self, view: DeedView, locale: str) -> str:
        return card(view, locale, title_key="gooddeed-request-title").text

    def outcome_for_reporter(self, view: DeedView, locale: str) -> str:
        d = view.deed
        key = f"gooddeed-outcome-{d.state}"
        return t(
            key,
            locale=locale,
            about=esc(view.about),
            date=fmt_date(d.happened_on),
            reason=clip_to(d.reason or "", 1000),
        )

    def recognised(self, view: DeedView, locale: str) -> str:
        d = view.deed
        if d.anonymous:
            key, params = "gooddeed-recognised-anonymous", {"date": fmt_date(d.happened_on)}
        else:
            key, params = "gooddeed-recognised", {"name": esc(view.reporter), "date": fmt_date(d.happened_on)}
        return fit([slot(key, "text", d.text, locale=locale, **params)]).text


TEXTS = GoodDeedTexts()


def listing(unit: str | None, views: list[DeedView], counts: Counts) -> str:
    if unit is None:
        lines = [t("gooddeed-list-title-college")]
    else:
        lines = [t("gooddeed-list-title-unit", unit=esc(unit))]
    if not views:
        return "\n".join([*lines, "", t("gooddeed-list-empty")])
    for v in views:
        lines += ["", f"• {_about(v, None)} — {fmt_date(v.deed.happened_on)}", clip_to(v.deed.text, 200)]
    lines += ["", t("gooddeed-list-counts-person")]
    lines += [tn("gooddeed-list-count", n, name=esc(name)) for name, n in counts.per_person[:10]]
    lines += ["", t("gooddeed-list-counts-unit")]
    lines += [tn("gooddeed-list-count", n, name=esc(name)) for name, n in counts.per_unit[:10]]
    return "\n".join(lines)
