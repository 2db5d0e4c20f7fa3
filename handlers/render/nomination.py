"""Nomination texts: the card, the request to write the achievement report, the report for review, the
outcome for its writer, the nominee's /status line.

The service queues these through the outbox; it is handed `TEXTS` (as it is handed the buttons).
"""

from __future__ import annotations

from bot.clock import fmt_date, fmt_when
from bot.i18n import t
from bot.services.nomination import View
from bot.text import clip, esc


def _name(row: object, locale: str | None) -> str:
    return str(getattr(row, f"name_{locale or 'vi'}", None) or getattr(row, "name_vi", ""))


def state_label(view: View, locale: str | None = None) -> str:
    return t(f"nomination-state-{view.item.state}", locale=locale)


def report_label(view: View, locale: str | None = None) -> str:
    return t(f"nomination-report-{view.item.report_state}", locale=locale)


def card(view: View, locale: str | None = None, *, title_key: str = "nomination-card-title") -> str:
    """The whole nomination as its unit head or the secretary sees it."""
    item = view.item
    lines = [
        t(title_key, locale=locale, id=item.id),
        t("nomination-card-nominee", locale=locale, name=esc(view.nominee)),
        t("nomination-card-unit", locale=locale, unit=esc(view.unit)),
        t("nomination-card-commendation", locale=locale, title=esc(_name(view.title, locale))),
        t("nomination-card-round", locale=locale, round=esc(_name(view.round, locale))),
        t("nomination-card-deadline", locale=locale, when=fmt_when(view.closes_at, locale)),
        t("nomination-card-state", locale=locale, state=state_label(view, locale)),
        t("nomination-card-report", locale=locale, report=report_label(view, locale)),
    ]
    if item.report_reason and item.report_state == "returned":
        lines.append(t("nomination-card-report-reason", locale=locale, reason=esc(item.report_reason)))
    if view.deeds:
        lines.append(t("nomination-card-deeds", locale=locale, n=len(view.deeds)))
        lines += [f"• {fmt_date(d.happened_on)}: {clip(d.text, 80)}" for d in view.deeds]
    if item.file_name:
        lines.append(t("nomination-card-file", locale=locale, name=esc(item.file_name)))
    if view.registration_missing:
        lines.append(t("nomination-warn-registration", locale=locale))
    lines += ["", t("nomination-card-summary", locale=locale), clip(item.summary or "", 3000)]
    return "\n".join(lines)


def deed_label(deed: object) -> str:
    """A good deed on a button: its date and the start of its text (plain text, buttons take no HTML)."""
    text = str(getattr(deed, "text", ""))
    short = text[:40] + ("…" if len(text) > 40 else "")
    return fmt_date(deed.happened_on) + " · " + short  # type: ignore[attr-defined]


def list_line(n: int, view: View, locale: str | None = None) -> str:
    return t(
        "nomination-list-line",
        locale=locale,
        n=n,
        name=esc(view.nominee),
        title=esc(_name(view.title, locale)),
        state=state_label(view, locale),
        report=report_label(view, locale),
    )


def report_text(view: View, locale: str | None = None) -> str:
    item = view.item
    if item.report_file_id:
        return t("nomination-report-is-file", locale=locale)
    return clip(item.report_text or "", 3500)


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
        line += "\n" + t("nomination-status-summary", locale=locale, text=clip(view.item.summary, 1000))
    return line


class NominationTexts:
    """What the service queues, worded here."""

    def report_request(self, view: View, locale: str | None) -> str:
        key = "nomination-ask-report-nominee" if view.writer_is_nominee else "nomination-ask-report-head"
        return t(
            key,
            locale=locale,
            name=esc(view.nominee),
            title=esc(_name(view.title, locale)),
            round=esc(_name(view.round, locale)),
            deadline=fmt_when(view.closes_at, locale),
            max=4000,
        )

    def report_in(self, view: View, locale: str | None) -> str:
        return (
            t(
                "nomination-report-in",
                locale=locale,
                name=esc(view.nominee),
                title=esc(_name(view.title, locale)),
            )
            + "\n\n"
            + report_text(view, locale)
        )

    def report_decided(self, view: View, locale: str | None) -> str:
        if view.item.report_state == "accepted":
            return t("nomination-report-accepted-note", locale=locale, title=esc(_name(view.title, locale)))
        return t(
            "nomination-report-returned-note",
            locale=locale,
            title=esc(_name(view.title, locale)),
            reason=esc(view.item.report_reason or ""),
            deadline=fmt_when(view.closes_at, locale),
        )


TEXTS = NominationTexts()
