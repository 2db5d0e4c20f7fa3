"""The decisions' texts (issue 20): the published list for comment, a decision's preview, the unit head's
notice, /objections' lines, /summary and /history. No aiogram; every name and typed text escaped here.
`TEXTS` registers the unit head's notice with the service on import."""

from __future__ import annotations

from collections.abc import Sequence

from bot.clock import fmt_date, fmt_when
from bot.i18n import t
from bot.plan.views import money
from bot.services.decisions.comment import ObjectionView, Publication
from bot.services.decisions.common import Candidate
from bot.services.decisions.later import DecisionView, ProposalView
from bot.services.decisions.notices import UnitLine, use_texts
from bot.services.decisions.reading import HistoryLine, Summary
from bot.services.decisions.record import Line, Preview
from bot.text import clip, esc


def amount_text(amount: int | None, paid: bool, locale: str | None) -> str:
    if amount is None:
        return t("decisions-money-none", locale=locale)
    if not paid:
        return t("decisions-money-not-paid", locale=locale)
    return money(amount, locale)


class Texts:
    def unit_notice(self, number: str, day: str, lines: list[UnitLine], locale: str) -> str:
        rows = [
            t(
                "decisions-unit-commended",
                locale=locale,
                name=esc(line.name),
                title=esc(line.title),
                money=amount_text(line.amount, line.paid, locale),
            )
            if line.commended
            else t("decisions-unit-not-commended", locale=locale, name=esc(line.name), title=esc(line.title))
            for line in lines
        ]
        return t("decisions-notice-unit", locale=locale, number=esc(number), date=day, lines="\n".join(rows))


TEXTS = Texts()
use_texts(TEXTS)


def _by_title(people: Sequence[Candidate], locale: str | None) -> list[str]:
    lines: list[str] = []
    for title in dict.fromkeys(c.title(locale) for c in people):
        lines.append(t("decisions-list-title", locale=locale, title=esc(title)))
        lines += [
            t("decisions-list-line", locale=locale, name=esc(c.name), unit=esc(c.unit))
            for c in people
            if c.title(locale) == title
        ]
    return lines


def publication(pub: Publication, link: str, locale: str | None = None) -> str:
    """The post published for comment (HTML): the list, until when, where to comment."""
    name = pub.round_name_en if locale == "en" and pub.round_name_en else pub.round_name_vi
    head = t("decisions-post-head", locale=locale, round=esc(name), until=fmt_when(pub.closes, locale))
    foot = t("decisions-post-foot", locale=locale, link=esc(link))
    return "\n".join([head, "", *_by_title(pub.listed, locale), "", foot])


def _preview_line(p: Preview, i: int, line: Line, locale: str | None) -> str:
    c = line.candidate
    if line.left_out is not None:
        return t(
            "decisions-preview-left-out",
            locale=locale,
            i=i,
            name=esc(c.name),
            title=esc(c.title(locale)),
            reason=esc(line.left_out),
        )
    provisional = line.money.provisional and str(c.nomination_id) not in p.draft.amounts
    shown = amount_text(line.amount, line.money.paid, locale)
    if provisional:
        shown += t("decisions-provisional", locale=locale)
    return t(
        "decisions-preview-line",
        locale=locale,
        i=i,
        name=esc(c.name),
        title=esc(c.title(locale)),
        money=shown,
    )


def preview(p: Preview, locale: str | None = None) -> str:
    """The decision before it is recorded: it says it is not recorded yet."""
    signer = p.signer
    who = (
        t(
            "decisions-preview-deputy" if signer.deputy else "decisions-preview-principal",
            locale=locale,
            name=esc(signer.name),
        )
        if signer
        else t("decisions-preview-no-signer", locale=locale)
    )
    lines = [
        t("decisions-preview-head", locale=locale),
        t(
            "decisions-preview-number",
            locale=locale,
            number=esc(p.draft.number),
            date=fmt_date(p.draft.decided_on),
            year=esc(p.school_year),
        ),
        who,
        "",
    ]
    lines += [_preview_line(p, i, line, locale) for i, line in enumerate(p.lines, 1)]
    for a, b in p.twice:
        lines.append(
            t(
                "decisions-preview-twice",
                locale=locale,
                name=esc(a.name),
                first=esc(a.title(locale)),
                second=esc(b.title(locale)),
            )
        )
    if p.upward:
        lines.append(
            t("decisions-preview-upward", locale=locale, names=esc(", ".join(c.name for c in p.upward)))
        )
    if p.provisional:
        lines.append(t("decisions-preview-confirm-money", locale=locale))
    return "\n".join(lines)


def objection_line(o: ObjectionView, locale: str | None = None) -> str:
    state = t(f"decisions-state-{o.state}", locale=locale)
    return t(
        "decisions-objection-line",
        locale=locale,
        id=o.id,
        nominee=esc(o.nominee),
        title=esc(o.title),
        state=state,
        objector=esc(o.objector),
        reason=esc(clip(o.reason, 600)),
        when=fmt_when(o.created_at, locale),
    )


def summary(s: Summary, locale: str | None = None) -> str:
    lines = [t("decisions-summary-head", locale=locale)]
    for r in s.rounds:
        name = r.name_en if locale == "en" and r.name_en else r.name_vi
        lines.append(t("decisions-summary-round", locale=locale, round=esc(name)))
        lines += [
            t("decisions-summary-title", locale=locale, title=esc(k), count=v) for k, v in r.passed.items()
        ]
        lines.append(
            t("decisions-summary-waiting", locale=locale)
            if r.waiting
            else t("decisions-summary-decided", locale=locale, count=r.decisions)
        )
    if not s.rounds:
        lines.append(t("decisions-summary-none", locale=locale))
    lines.append(
        t(
            "decisions-summary-proposals",
            locale=locale,
            prepared=s.proposals.get("prepared", 0),
            sent=s.proposals.get("sent", 0),
        )
    )
    return "\n".join(lines)


def history(who: str, lines: list[HistoryLine], locale: str | None = None) -> str:
    out = [t("decisions-history-head", locale=locale, name=esc(who))]
    for line in lines:
        out.append(
            t(
                f"decisions-history-{line.kind}",
                locale=locale,
                date=fmt_date(line.day),
                title=esc(line.title),
                number=esc(line.number or ""),
            )
        )
    if not lines:
        out.append(t("decisions-history-empty", locale=locale))
    return "\n".join(out)


def decision_card(v: DecisionView, locale: str | None = None) -> str:
    """/decisions: one recorded decision, its signer and its commendations (revoked ones marked)."""
    d = v.decision
    key = "decisions-card-deputy" if d.signed_as == "deputy" else "decisions-card-principal"
    lines = [
        t("decisions-card-head", locale=locale, number=esc(d.number), date=fmt_date(d.decided_on)),
        t(key, locale=locale, name=esc(v.signer)),
    ]
    for c in v.commended:
        state = "" if c.state == "active" else t(f"decisions-card-{c.recovery or 'revoked'}", locale=locale)
        lines.append(
            t(
                "decisions-card-line",
                locale=locale,
                name=esc(c.name),
                title=esc(c.title),
                money=amount_text(c.amount, True, locale),
            )
            + state
        )
    return "\n".join(lines)


def proposal_line(p: ProposalView, locale: str | None = None) -> str:
    upper = ""
    if p.upper_number and p.upper_date:
        upper = t(
            "decisions-proposal-upper", locale=locale, number=esc(p.upper_number), date=fmt_date(p.upper_date)
        )
    return (
        t(
            "decisions-proposal-line",
            locale=locale,
            name=esc(p.name),
            title=esc(p.title),
            state=t(f"decisions-proposal-{p.state}", locale=locale),
        )
        + upper
    )
