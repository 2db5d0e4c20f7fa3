"""The vote's texts: the opening notice to each member, a refusal to the secretaries, the result table.

No aiogram. The service hands these the data (bot/services/voting/notices.py) and queues what they return;
`TEXTS` registers itself on import (handlers/voting.py, where the due work is, imports it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.clock import fmt_when
from bot.i18n import t, tn
from bot.plan.views import rule_text
from bot.services.voting.notices import OpeningNotice, RefusedNotice, ResultLine, ResultsView, use_texts
from bot.text import esc, split_message


def _pick(vi: str, en: str, locale: str) -> str:
    return en if locale == "en" and en else vi


class Texts:
    def opened(self, notice: OpeningNotice, locale: str) -> str:
        round_name = esc(_pick(notice.round_name_vi, notice.round_name_en, locale))
        title_key = "voting-open-reballot-title" if notice.reballot else "voting-open-title"
        lines = [
            t(title_key, locale=locale, round=round_name),
            t("voting-open-body", locale=locale, closes=fmt_when(notice.closes, locale)),
            tn("voting-open-count", sum(c.dossiers for c in notice.titles), locale=locale),
        ]
        lines += [
            t(
                "voting-open-title-line",
                locale=locale,
                title=esc(_pick(c.name_vi, c.name_en, locale)),
                count=c.dossiers,
            )
            for c in notice.titles
        ]
        if notice.recused:
            lines.append(tn("voting-open-recused", notice.recused, locale=locale))
        if notice.button:
            lines.append(t("voting-open-how", locale=locale))
        return "\n".join(lines)

    def refused(self, notice: RefusedNotice, locale: str) -> str:
        round_name = esc(_pick(notice.round_name_vi, notice.round_name_en, locale))
        return t(
            "voting-refused",
            locale=locale,
            round=round_name,
            why=t(notice.reason, locale=locale, **notice.params),
        )

    def results(self, view: ResultsView, locale: str) -> list[str]:
        round_name = esc(_pick(view.round_name_vi, view.round_name_en, locale))
        key = "voting-results-reballot-title" if view.reballot else "voting-results-title"
        lines = [t(key, locale=locale, round=round_name)]
        if view.closed_at is not None:
            lines.append(t("voting-results-closed", locale=locale, when=fmt_when(view.closed_at, locale)))
        if view.meeting_at is not None:
            place = (
                t("voting-results-place", locale=locale, place=esc(view.meeting_place))
                if view.meeting_place
                else ""
            )
            lines.append(
                t("voting-results-meeting", locale=locale, when=fmt_when(view.meeting_at, locale)) + place
            )
        if view.chair or view.secretaries:
            lines.append(
                t(
                    "voting-results-officers",
                    locale=locale,
                    chair=esc(view.chair or "—"),
                    secretary=esc(", ".join(view.secretaries) or "—"),
                )
            )
        lines.append(t("voting-results-figures", locale=locale, members=view.members, voters=view.voters))
        names = {code: _pick(vi, en, locale) for code, (vi, en) in view.names.items()}
        for title in view.titles:
            name = esc(_pick(title.name_vi, title.name_en, locale))
            heading = "voting-results-heading-quota" if title.quota is not None else "voting-results-heading"
            lines += ["", t(heading, locale=locale, title=name, quota=title.quota)]
            for n, line in enumerate(title.lines, start=1):
                lines += result_lines(n, line, locale, names)
            if any(line.outcome == "tied" and not line.settled for line in title.lines):
                lines.append(t(f"voting-results-tie-{title.tie_to}", locale=locale))
        return split_message("\n".join(lines))


def result_lines(n: int, line: ResultLine, locale: str, names: Mapping[str, str] | None = None) -> list[str]:
    """One nominee's line, then the reasons of the outcome and each warning on lines of their own."""
    key = "voting-results-line" if line.unit and line.unit != line.nominee else "voting-results-line-unit"
    out = [
        t(
            key,
            locale=locale,
            n=n,
            nominee=esc(line.nominee),
            unit=esc(line.unit),
            outcome=t(f"voting-outcome-{line.outcome}", locale=locale),
            agree=line.agree,
            members=line.members,
            disagree=line.disagree,
            voters=line.voters,
        )
    ]
    reasons = [
        t(f"voting-reason-{r}", locale=locale)
        for r in line.reasons
        if r != "quota" or line.outcome == "over_quota"
    ]
    if reasons:
        out.append(t("voting-reason-line", locale=locale, reasons="; ".join(reasons)))
    out += [
        t("voting-warning-line", locale=locale, text=warning_text(w, locale, names)) for w in line.warnings
    ]
    return out


def warning_text(warning: Mapping[str, Any], locale: str, names: Mapping[str, str] | None = None) -> str:
    """A result's warning: a count that reveals the votes, a quota's base, or a criteria check."""
    if warning.get("kind") != "criteria":
        return t(f"voting-warning-{warning.get('kind')}", locale=locale)
    rule = warning.get("rule") or {}
    if rule.get("kind") == "registration":
        text = t("voting-check-registration", locale=locale)
    else:
        text = rule_text(dict(rule), locale, dict(names or {}))
    return t(
        "voting-check-line",
        locale=locale,
        rule=text,
        status=t(f"voting-check-status-{warning.get('status')}", locale=locale),
    )


TEXTS = Texts()
use_texts(TEXTS)  # the wording every opening and close finds (handlers/voting.py adds the buttons in phase 2)
