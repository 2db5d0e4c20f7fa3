"""Nomination texts: the card, the request to write the achievement report, the report for review, the
outcome for its writer, the copies of a request once someone acted, the nominee's /status line.

The service queues these through the outbox; it is handed `TEXTS` (as it is handed the buttons). Every card
fits Telegram's limit (handlers/render/cards.py): the summary and the good deeds are shortened with "…",
and `card(...).cut` tells the handler to offer "Xem đầy đủ", which sends `whole_card`.
"""

from __future__ import annotations

from bot.clock import fmt_date, fmt_when
from bot.i18n import t
from bot.services.nomination import REPORT_MAX, View
from bot.text import esc
from handlers.render.cards import Card, Line, Slot, clip_to, fit, slot, whole

DEEDS_SHOWN = 10  # good deeds listed on the card; the rest are counted
DEED_MOST = 80  # of a good deed's text on the card (the whole in "Xem đầy đủ")


def _name(row: object, locale: str | None) -> str:
    return str(getattr(row, f"name_{locale or 'vi'}", None) or getattr(row, "name_vi", ""))


def state_label(view: View, locale: str | None = None) -> str:
    return t(f"nomination-state-{view.state}", locale=locale)


def report_label(view: View, locale: str | None = None) -> str:
    return t(f"nomination-report-{view.item.report_state}", locale=locale)


def _lines(view: View, locale: str | None, title_key: str, *, cut: bool) -> list[Line]:
    item, draft = view.item, view.state == "draft"
    lines: list[Line] = [
        t(title_key, locale=locale, id=view.number),
        t("nomination-card-nominee", locale=locale, name=esc(view.nominee)),
        t("nomination-card-unit", locale=locale, unit=esc(view.unit)),
        t("nomination-card-commendation", locale=locale, title=esc(_name(view.title, locale))),
        t("nomination-card-round", locale=locale, round=esc(_name(view.round, locale))),
        t("nomination-card-deadline", locale=locale, when=fmt_when(view.closes_at, locale)),
        t("nomination-card-state", locale=locale, state=state_label(view, locale)),
    ]
    if not draft:  # a draft has no nominator yet, nor a report
        if view.nominator and view.nominated_at is not None:
            when = fmt_when(view.nominated_at, locale)
            lines.append(t("nomination-card-nominator", locale=locale, name=esc(view.nominator), when=when))
        lines.append(t("nomination-card-report", locale=locale, report=report_label(view, locale)))
    if item.report_reason and item.report_state == "returned":
        lines.append(slot("nomination-card-report-reason", "reason", item.report_reason, locale=locale))
    if view.deeds:
        lines.append(t("nomination-card-deeds", locale=locale, n=len(view.deeds)))
        shown = view.deeds[:DEEDS_SHOWN] if cut else view.deeds
        most = DEED_MOST if cut else None
        lines += [Slot(d.text, f"• {fmt_date(d.happened_on)}: ", most=most) for d in shown]
        if len(view.deeds) > len(shown):
            lines.append(t("nomination-card-deeds-more", locale=locale, n=len(view.deeds) - len(shown)))
    if item.file_name:
        lines.append(t("nomination-card-file", locale=locale, name=esc(item.file_name)))
    if view.registration_missing:
        lines.append(t("nomination-warn-registration", locale=locale))
    return [*lines, "", t("nomination-card-summary", locale=locale), Slot(item.summary or "")]


def card(
    view: View, locale: str | None = None, *, title_key: str = "nomination-card-title", lead: str = ""
) -> Card:
    """The nomination as its unit head or the secretary sees it, after `lead` (a line of what just
    happened), within Telegram's limit: `.cut` when the summary or a good deed was shortened."""
    head: list[Line] = [lead, ""] if lead else []
    return fit([*head, *_lines(view, locale, title_key, cut=True)])


def whole_card(
    view: View, locale: str | None = None, *, title_key: str = "nomination-card-title"
) -> list[str]:
    """The card uncut ("Xem đầy đủ"; the draft's with its own title): every good deed and the whole
    summary, in parts."""
    return whole(_lines(view, locale, title_key, cut=False))


def deed_label(deed: object) -> str:
    """A good deed on a button: its date and the start of its text (plain text, buttons take no HTML)."""
    text = str(getattr(deed, "text", ""))
    short = text[:40] + ("…" if len(text) > 40 else "")
    return fmt_date(deed.happened_on) + " · " + short  # type: ignore[attr-defined]


def list_line(view: View, locale: str | None = None) -> str:
    return t(
        "nomination-list-line",
        locale=locale,
        n=view.number,
        name=esc(view.nominee),
        title=esc(_name(view.title, locale)),
        state=state_label(view, locale),
        report=report_label(view, locale),
    )


def pending_line(view: View, locale: str | None = None) -> str:
    return t(
        "nomination-pending-line",
        locale=locale,
        n=view.number,
        name=esc(view.nominee),
        title=esc(_name(view.title, locale)),
    )


def _report_head(view: View, locale: str | None) -> str:
    return t(
        "nomination-report-heading",
        locale=locale,
        n=view.number,
        name=esc(view.nominee),
        title=esc(_name(view.title, locale)),
    )


def report_parts(view: View, locale: str | None = None) -> list[str]:
    """The whole report ("Xem báo cáo"), in parts; a report sent as a file is sent as the file."""
    return whole([_report_head(view, locale), "", Slot(view.item.report_text or "")])


def report_caption(view: View, locale: str | None = None) -> str:
    """The caption of a report sent as a file ("Xem báo cáo"): whose, for what, its number."""
    return _report_head(view, locale)


def report_preview(title: str, text: str, locale: str | None = None) -> list[str]:
    """The report as it will be sent, whole (in parts), saying it is not sent yet."""
    return whole([t("nomination-report-preview", locale=locale, title=esc(title)), "", Slot(text)])


def summary_prompt(lead: str, summary: str, locale: str | None = None) -> str:
    """Asking for the summary again, with the current one (shortened to fit)."""
    return fit([lead, "", t("nomination-current-summary", locale=locale), Slot(summary)]).text


def status_line(view: View, locale: str | None = None) -> str:
    """What the nominee sees in /status: for what, in which round; the summary only if the plan allows."""
    line = t(
        "nomination-status-line",
        locale=locale,
        title=esc(_name(view.title, locale)),
        round=esc(_name(view.round, locale)),
        report=report_label(view, locale),
    )
    if view.nominee_can_read_summary:
        line += "\n" + t("nomination-status-summary", locale=locale, text=clip_to(view.item.summary, 1000))
    return line


class NominationTexts:
    """What the service queues, worded here."""

    def report_request(self, view: View, locale: str | None, *, principal: bool = False) -> str:
        key = "nomination-ask-report-nominee" if view.writer_is_nominee else "nomination-ask-report-head"
        if principal:
            key = "nomination-ask-report-principal"
        return t(
            key,
            locale=locale,
            n=view.number,
            name=esc(view.nominee),
            title=esc(_name(view.title, locale)),
            round=esc(_name(view.round, locale)),
            deadline=fmt_when(view.closes_at, locale),
            max=REPORT_MAX,
        )

    def _report_in_head(self, view: View, locale: str | None) -> str:
        return t(
            "nomination-report-in",
            locale=locale,
            n=view.number,
            name=esc(view.nominee),
            title=esc(_name(view.title, locale)),
        )

    def report_in(self, view: View, locale: str | None) -> str:
        item = view.item
        if item.report_file_id:
            ask = t("nomination-report-in-ask", locale=locale)
            return "\n".join(
                [self._report_in_head(view, locale), ask, "", t("nomination-report-is-file", locale=locale)]
            )
        ask = t("nomination-report-in-ask", locale=locale)
        return fit([self._report_in_head(view, locale), ask, "", Slot(item.report_text or "")]).text

    def report_decided(self, view: View, locale: str | None, *, principal: bool = False) -> str:
        to = "-principal" if principal else ""
        title = esc(_name(view.title, locale))
        if view.item.report_state == "accepted":
            return t(
                f"nomination-report-accepted-note{to}", locale=locale, title=title, name=esc(view.nominee)
            )
        return t(
            f"nomination-report-returned-note{to}",
            locale=locale,
            name=esc(view.nominee),
            title=title,
            reason=esc(view.item.report_reason or ""),
            deadline=fmt_when(view.closes_at, locale),
        )

    def request_settled(self, view: View, actor: str, locale: str | None, *, kind: str) -> str:
        """A copy of a request once someone acted: the report written, reviewed, or the nominee joined."""
        item = view.item
        params = {
            "n": view.number,
            "name": esc(view.nominee),
            "title": esc(_name(view.title, locale)),
            "actor": esc(actor),
            "when": fmt_when(item.updated_at, locale),
        }
        if kind != "reviewed":
            return t(f"nomination-settled-{kind}", locale=locale, **params)
        outcome = t(
            f"nomination-settled-{item.report_state}",
            locale=locale,
            reason=esc(item.report_reason or ""),
            **params,
        )
        return self._report_in_head(view, locale) + "\n" + outcome


TEXTS = NominationTexts()
