"""The vote's cards in chat: a member's review (the index by title, one dossier's card, "Xem đầy đủ"), the
secretary's council and standing, no aiogram. A card fits 4096 UTF-16 code units (handlers/render/cards.py):
the summary is shortened with "…" and given whole by "Xem đầy đủ".

A card shows the viewing member's own choice, to that member only; no other text here holds a choice.
"""

from __future__ import annotations

from bot.clock import fmt_when
from bot.i18n import t, tn
from bot.services.voting import CouncilView, DossierFull, DossierView, Sheet, Standing, VoteItem
from bot.services.voting.criteria import warnings
from bot.text import esc
from handlers.render.cards import Card, Line, fit, slot, whole
from handlers.render.voting import warning_text

PAGE = 10  # dossiers per page of the index


def _pick(vi: str, en: str, locale: str) -> str:
    return en if locale == "en" and en else vi


def round_name(sheet: Sheet | VoteItem, locale: str) -> str:
    return esc(_pick(sheet.round_name_vi, sheet.round_name_en, locale))


def title_name(d: DossierView, locale: str) -> str:
    return esc(_pick(d.title_vi, d.title_en, locale))


def _who(d: DossierView, locale: str) -> str:
    if d.subject == "collective":
        return t("voting-card-unit", locale=locale, unit=esc(d.unit))
    return t("voting-card-nominee", locale=locale, name=esc(d.nominee), unit=esc(d.unit))


def _mark(d: DossierView, locale: str) -> str:
    """A dossier's state for this member: recused, withdrawn, voted (on their own card: how) or not yet."""
    if d.recused:
        return t("voting-mark-recused", locale=locale)
    if d.withdrawn:
        return t("voting-mark-withdrawn", locale=locale)
    return t("voting-mark-voted" if d.voted else "voting-mark-todo", locale=locale)


def progress_line(sheet: Sheet, locale: str) -> str:
    if sheet.progress is None:
        return ""
    return t("voting-progress", locale=locale, done=sheet.progress.done, total=sheet.progress.total)


def _state_line(sheet: Sheet, locale: str) -> str:
    if sheet.state == "open":
        return t("voting-closes", locale=locale, when=fmt_when(sheet.closes, locale))
    return t("voting-over", locale=locale)


def index(sheet: Sheet, page: int, locale: str) -> tuple[str, list[DossierView], int]:
    """The index of a member's review: the vote, the progress, the dossiers by title, one page of them;
    the dossiers of the page and the number of pages."""
    ordered = [d for _, group in sheet.titles() for d in group]
    pages = max(1, -(-len(ordered) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = ordered[page * PAGE : (page + 1) * PAGE]
    key = "voting-index-reballot" if sheet.reballot else "voting-index-head"
    lines = [t(key, locale=locale, round=round_name(sheet, locale)), _state_line(sheet, locale)]
    if line := progress_line(sheet, locale):
        lines.append(line)
    if not ordered:
        lines.append(t("voting-index-none", locale=locale))
    title = None
    for d in shown:
        if d.title != title:
            title = d.title
            count = sum(1 for x in ordered if x.title == title)
            lines += ["", t("voting-index-title", locale=locale, title=title_name(d, locale), n=count)]
        n = ordered.index(d) + 1
        lines.append(t("voting-index-line", locale=locale, n=n, who=esc(d.nominee), mark=_mark(d, locale)))
    if pages > 1:
        lines += ["", t("voting-index-page", locale=locale, page=page + 1, pages=pages)]
    return "\n".join(lines), shown, pages


def _lines(d: DossierView, sheet: Sheet, locale: str, *, full: bool) -> list[Line]:
    ordered = [x for _, group in sheet.titles() for x in group]
    n = ordered.index(d) + 1 if d in ordered else d.position + 1
    lines: list[Line] = [
        t("voting-card-head", locale=locale, n=n, total=len(ordered), title=title_name(d, locale)),
        _who(d, locale),
    ]
    if d.recused:
        return [*lines, t("voting-card-recused", locale=locale), _state_line(sheet, locale)]
    if d.withdrawn:
        return [*lines, t("voting-card-withdrawn", locale=locale), _state_line(sheet, locale)]
    if d.summary:
        lines.append(slot("voting-card-summary", "text", d.summary, locale=locale))
    lines.append(tn("voting-card-deeds", d.deeds, locale=locale))
    lines.append(
        t(
            "voting-card-registration",
            locale=locale,
            state=t(f"voting-registration-{d.registration or 'none'}", locale=locale),
        )
    )
    report = t(f"voting-report-{d.report}", locale=locale)
    lines.append(t("voting-card-report", locale=locale, state=report))
    if d.has_file:
        lines.append(t("voting-card-file", locale=locale))
    warned = warnings(d.checks)
    if warned:
        lines.append(t("voting-card-warnings", locale=locale))
        lines += [t("voting-card-warning", locale=locale, text=warning_text(w, locale)) for w in warned]
    if not full:
        lines.append("")
        if d.choice is not None:
            mine = t(f"voting-choice-{d.choice}", locale=locale)
            lines.append(t("voting-card-mine", locale=locale, choice=mine))
        elif d.voted:
            lines.append(t("voting-card-voted", locale=locale))
        elif sheet.progress is not None:
            lines.append(t("voting-card-not-voted", locale=locale))
        if line := progress_line(sheet, locale):
            lines.append(line)
        lines.append(_state_line(sheet, locale))
    return lines


def card(d: DossierView, sheet: Sheet, locale: str) -> Card:
    """One dossier, fitted to a message: the summary shortened with "…" when needed."""
    return fit(_lines(d, sheet, locale, full=False))


def full_parts(f: DossierFull, sheet: Sheet, locale: str) -> list[str]:
    """ "Xem đầy đủ": the dossier uncut with its achievement report, in parts that each fit."""
    lines = _lines(f.view, sheet, locale, full=True)
    if f.report_text:
        lines += [
            "",
            t("voting-full-report", locale=locale),
            slot("voting-full-text", "text", f.report_text, locale=locale),
        ]
    return whole(lines)


# -- the secretary's council ---------------------------------------------------------------------------
def council(view: CouncilView, round_: str, locale: str) -> str:
    key = "voting-council-head" if view.state == "preparing" else "voting-council-head-open"
    lines = [t(key, locale=locale, round=esc(round_), n=len(view.active))]
    for i, m in enumerate(view.active, start=1):
        mark = t("voting-council-chair-mark", locale=locale) if m.chair else ""
        origin = t("voting-council-added-mark", locale=locale) if m.origin == "added" else ""
        lines.append(t("voting-council-line", locale=locale, n=i, name=esc(m.full_name), mark=mark + origin))
    removed = [m for m in view.members if m.removed]
    if removed:
        lines += ["", t("voting-council-removed", locale=locale)]
        lines += [t("voting-council-removed-line", locale=locale, name=esc(m.full_name)) for m in removed]
    if view.chair_id is None:
        lines += ["", t("voting-council-no-chair", locale=locale)]
    if view.state == "preparing":
        lines += ["", t("voting-council-how", locale=locale)]
    return "\n".join(lines)


# -- the secretary's standing of an open vote ------------------------------------------------------------
def standing(s: Standing, locale: str) -> str:
    item = s.item
    key = "voting-standing-reballot" if item.reballot else "voting-standing-head"
    lines = [
        t(key, locale=locale, round=round_name(item, locale), nominee=esc(item.nominee)),
        t("voting-closes", locale=locale, when=fmt_when(item.closes, locale)),
        t("voting-standing-figures", locale=locale, done=s.done, total=s.total),
        t("voting-standing-secret", locale=locale),
        "",
    ]
    for m in s.members:
        mark = t("voting-standing-done", locale=locale) if m.finished else ""
        lines.append(
            t("voting-standing-line", locale=locale, name=esc(m.full_name), done=m.done, total=m.total) + mark
        )
    return "\n".join(lines)
