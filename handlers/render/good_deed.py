"""Good-deed texts: the decider's card, the album's confirmation, the outcome for the reporter, the note
for the person concerned, the list. The service queues these; it is handed `TEXTS`."""

from __future__ import annotations

from bot.clock import fmt_date
from bot.i18n import t, tn
from bot.services.good_deed import Counts, DeedView
from bot.text import clip, esc

CARD_TEXT_MAX = 2500  # the deed's text is at most 2000; escaping may grow it


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


def card(view: DeedView, locale: str | None = None, *, title_key: str = "gooddeed-card-title") -> str:
    """The whole deed as its decider (and the secretary) sees it: the reporter is always named here."""
    d = view.deed
    lines = [t(title_key, locale=locale), _about(view, locale)]
    reporter = t("gooddeed-card-reporter", locale=locale, name=esc(view.reporter))
    if d.anonymous:
        reporter += " " + t("gooddeed-card-anonymous", locale=locale)
    lines += [reporter, t("gooddeed-card-day", locale=locale, date=fmt_date(d.happened_on))]
    if (ev := _evidence(view, locale)) is not None:
        lines.append(ev)
    lines.append(t("gooddeed-card-state", locale=locale, state=t(f"gooddeed-state-{d.state}", locale=locale)))
    if d.state != "submitted" and view.decider:
        lines.append(
            t("gooddeed-card-decided", locale=locale, name=esc(view.decider), date=fmt_date(d.decided_at))
        )  # type: ignore[arg-type]
    if d.reason:
        lines.append(t("gooddeed-card-reason", locale=locale, reason=clip(d.reason, 1000)))
    return "\n".join([*lines, "", clip(d.text, CARD_TEXT_MAX)])


class GoodDeedTexts:
    def album_received(self, n: int, locale: str) -> str:
        return tn("gooddeed-album-received", n, locale=locale)

    def album_refused(self, locale: str) -> str:
        return t("gooddeed-album-too-large", locale=locale, max=5)

    def request_card(self, view: DeedView, locale: str) -> str:
        return card(view, locale, title_key="gooddeed-request-title")

    def outcome_for_reporter(self, view: DeedView, locale: str) -> str:
        d = view.deed
        key = f"gooddeed-outcome-{d.state}"
        return t(
            key,
            locale=locale,
            about=esc(view.about),
            date=fmt_date(d.happened_on),
            reason=clip(d.reason or "", 1000),
        )

    def recognised(self, view: DeedView, locale: str) -> str:
        d = view.deed
        text = clip(d.text, CARD_TEXT_MAX)
        if d.anonymous:
            return t("gooddeed-recognised-anonymous", locale=locale, date=fmt_date(d.happened_on), text=text)
        return t(
            "gooddeed-recognised",
            locale=locale,
            name=esc(view.reporter),
            date=fmt_date(d.happened_on),
            text=text,
        )


TEXTS = GoodDeedTexts()


def listing(unit: str | None, views: list[DeedView], counts: Counts) -> str:
    if unit is None:
        lines = [t("gooddeed-list-title-college")]
    else:
        lines = [t("gooddeed-list-title-unit", unit=esc(unit))]
    if not views:
        return "\n".join([*lines, "", t("gooddeed-list-empty")])
    for v in views:
        lines += ["", f"• {_about(v, None)} — {fmt_date(v.deed.happened_on)}", clip(v.deed.text, 200)]
    lines += ["", t("gooddeed-list-counts-person")]
    lines += [tn("gooddeed-list-count", n, name=esc(name)) for name, n in counts.per_person[:10]]
    lines += ["", t("gooddeed-list-counts-unit")]
    lines += [tn("gooddeed-list-count", n, name=esc(name)) for name, n in counts.per_unit[:10]]
    return "\n".join(lines)
