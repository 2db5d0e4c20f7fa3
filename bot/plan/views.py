"""The loaded plan as text (HTML) for the chat and, stripped of tags, for `thidua plan show`.

Rows come from storage.models.plan; texts from the plan file are escaped. Dates and times are shown
by bot.clock (fmt_when, fmt_date, fmt_since), like everywhere else.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bot.clock import fmt_date, fmt_since, fmt_when
from bot.i18n import current_locale, grouped, t, tn
from bot.plan.calendar import effective_voting_window, round_phase
from bot.text import esc

_TAGS = re.compile(r"</?(?:b|i|u|code)>")


def plain(text: str) -> str:
    """HTML of these views as plain text (for the command line)."""
    return html.unescape(_TAGS.sub("", text))


def _lang(locale: str | None) -> str:
    return locale or current_locale() or "vi"


def pick(row: Any, name: str, locale: str | None) -> str:
    """`row.<name>_<lang>`, falling back to the Vietnamese text."""
    value = getattr(row, f"{name}_{_lang(locale)}", None) or getattr(row, f"{name}_vi", None)
    return str(value or "")


def number(value: Decimal | float | int, locale: str | None) -> str:
    """0.3 -> '0,3' in Vietnamese, '0.3' in English; no trailing zeros."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",") if _lang(locale) == "vi" else text


def money(amount: int, locale: str | None) -> str:
    """1490000 -> '1.490.000 đ' (vi) or '1,490,000 VND' (en)."""
    lang = _lang(locale)
    return grouped(amount, lang) + (" đ" if lang == "vi" else " VND")


def percent(share: Decimal, locale: str | None) -> str:
    return number(Decimal(share) * 100, locale)


# -- parts ---------------------------------------------------------------------------------------------
def period_heading(period: Any, locale: str | None = None) -> str:
    lines = [
        f"<b>{esc(pick(period, 'title', locale))}</b>",
        t("plan-view-period", locale=locale, code=period.code),
    ]
    purpose = pick(period, "purpose", locale)
    if purpose:
        lines += ["", t("plan-view-purpose", locale=locale), esc(purpose)]
    return "\n".join(lines)


def movement_block(index: int, movement: Any, locale: str | None = None) -> str:
    return "\n".join(
        [
            f"<b>{index}. {esc(pick(movement, 'name', locale))}</b>",
            t("plan-view-collective", locale=locale, text=esc(pick(movement, "collective", locale))),
            t("plan-view-individual", locale=locale, text=esc(pick(movement, "individual", locale))),
        ]
    )


def movements_text(movements: Sequence[Any], locale: str | None = None) -> str:
    if not movements:
        return t("plan-view-no-movements", locale=locale)
    blocks = [movement_block(i, m, locale) for i, m in enumerate(movements, 1)]
    return t("plan-view-movements", locale=locale) + "\n\n" + "\n\n".join(blocks)


def school_year_text(school_year: Any, locale: str | None = None, closes: datetime | None = None) -> str:
    """The school year's dates and its registration window; `closes`: the window's close as extended for
    the reader (the college's extension or their unit's), shown with the plan's date when later."""
    planned = school_year.registration_closes_at
    registration = t(
        "plan-view-registration",
        locale=locale,
        opens=fmt_when(school_year.registration_opens_at, locale),
        closes=fmt_when(planned, locale),
    )
    if closes is not None and closes > planned:
        registration = t(
            "registration-plan-extended",
            locale=locale,
            opens=fmt_when(school_year.registration_opens_at, locale),
            closes=fmt_when(closes, locale),
            planned=fmt_when(planned, locale),
        )
    heading = t(
        "plan-view-school-year",
        locale=locale,
        code=school_year.code,
        start=fmt_date(school_year.start),
        end=fmt_date(school_year.end),
    )
    return heading + "\n" + registration


def round_block(round_: Any, now: datetime, locale: str | None = None) -> str:
    """A round with its phase at `now` and its dates, the voting window as in force (early, extended)."""
    opens, closes = effective_voting_window(round_)
    heading = f"<b>{esc(pick(round_, 'name', locale))}</b> — " + t(
        f"plan-phase-{round_phase(round_, now)}", locale=locale
    )
    voting = t(
        "plan-view-voting", locale=locale, opens=fmt_when(opens, locale), closes=fmt_when(closes, locale)
    )
    marks = []
    if round_.voting_opened_early_at is not None:
        marks.append(
            t("plan-view-opened-early", locale=locale, at=fmt_when(round_.voting_opened_early_at, locale))
        )
    if round_.voting_extended_to is not None:
        marks.append(t("plan-view-extended", locale=locale, planned=fmt_when(round_.voting_close_at, locale)))
    if marks:
        voting += " (" + "; ".join(marks) + ")"
    lines = [
        heading,
        t(
            "plan-view-nominations",
            locale=locale,
            opens=fmt_when(round_.nominations_open_at, locale),
            closes=fmt_when(round_.nominations_close_at, locale),
        ),
        voting,
        t("plan-view-ceremony", locale=locale, at=fmt_when(round_.ceremony_at, locale)),
    ]
    occasion = pick(round_, "occasion", locale)
    if occasion:
        lines.append(t("plan-view-occasion", locale=locale, name=esc(occasion)))
    return "\n".join(lines)


def school_years_text(
    school_years: Sequence[Any],
    rounds: Sequence[Any],
    now: datetime,
    locale: str | None = None,
    closes: dict[int, datetime] | None = None,
) -> list[str]:
    """A block per school year: its dates and registration (`closes`: by school year id, as extended for
    the reader), then each of its rounds."""
    blocks = []
    for school_year in school_years:
        lines = [school_year_text(school_year, locale, (closes or {}).get(school_year.id))]
        for round_ in [r for r in rounds if r.school_year_id == school_year.id]:
            lines += ["", round_block(round_, now, locale)]
        blocks.append("\n".join(lines))
    return blocks


def titles_text(items: Sequence[Any], factors: Sequence[Any], locale: str | None = None) -> str:
    """Every title and award form, with its award factors (rows of the period), values still to be confirmed
    marked for everyone (issue 18, E34: staff plan their year on them too)."""
    names = {c.code: pick(c, "name", locale) for c in items}
    blocks = [
        commendation_block(c, [f for f in factors if f.commendation_id == c.id], locale, names) for c in items
    ]
    return t("plan-view-titles", locale=locale) + "\n\n" + "\n\n".join(blocks)


def _confirm(flag: bool, locale: str | None, shown: bool = True) -> str:
    return " " + t("plan-view-to-confirm", locale=locale) if flag and shown else ""


def commendation_block(
    item: Any,
    factors: Iterable[Any],
    locale: str | None = None,
    names: dict[str, str] | None = None,
) -> str:
    """A title or award form: whom, who decides, registration, threshold, quota, rules, money, source.

    No internal code is shown; values still to be confirmed are marked."""
    names = names or {}

    def confirm(flag: bool) -> str:
        return _confirm(flag, locale)

    subjects = ", ".join(t(f"plan-subject-{s}", locale=locale) for s in item.subjects)
    kind = t(f"plan-kind-{item.kind}", locale=locale)
    level = f" · {t('plan-view-level', locale=locale, level=item.level)}" if item.level else ""
    lines = [
        f"<b>{esc(pick(item, 'name', locale))}</b>",
        f"{kind}{level} · {subjects} · {t(f'plan-decided-{item.decided_by}', locale=locale)}",
        t(
            "plan-view-registration-required"
            if item.registration_required
            else "plan-view-registration-free",
            locale=locale,
        ),
        threshold_text(item, locale) + confirm(item.threshold_to_confirm),
    ]
    if item.quota_percent is not None:
        key = "plan-view-quota-title" if item.quota_base == "title" else "plan-view-quota-staff"
        quota = t(
            key,
            locale=locale,
            percent=number(item.quota_percent, locale),
            title=esc(names.get(item.quota_title or "", item.quota_title or "")),
        )
        lines.append(quota + confirm(item.quota_to_confirm))
    rules = [rule_text(rule, locale, names) for rule in item.criteria_rules or []]
    if rules:
        lines.append(t("plan-view-rules", locale=locale))
        lines += [f"• {rule}" for rule in rules]
    factor_rows = list(factors)
    if factor_rows:
        for f in factor_rows:
            who = f" ({t(f'plan-subject-{f.subject}', locale=locale)})" if f.subject else ""
            lines.append(
                t(
                    "plan-view-factor",
                    locale=locale,
                    factor=number(f.factor, locale),
                    since=fmt_since(f.effective_from, locale),
                )
                + who
                + confirm(f.to_confirm)
            )
    else:
        lines.append(t("plan-view-no-factor", locale=locale))
    lines.append(t("plan-view-source", locale=locale, source=esc(item.source)) + confirm(item.to_confirm))
    return "\n".join(lines)


def threshold_text(item: Any, locale: str | None = None) -> str:
    """ "Ngưỡng bỏ phiếu: ít nhất 2/3 tổng số thành viên …": the exact share (issue 19), "more than" and
    the quorum when the plan sets them."""
    num, den = getattr(item, "threshold_num", None), getattr(item, "threshold_den", None)
    exact = Fraction(num, den) if num and den else Fraction(Decimal(item.threshold_share))
    comparison = getattr(item, "threshold_comparison", None) or "at_least"
    clean = (exact * 100).denominator in (1, 2, 4, 5, 10)  # 50 %, 12,5 %; not 2/3
    shown = number(Decimal((exact * 100).numerator) / (exact * 100).denominator, locale)
    if clean and comparison == "at_least":
        text = t(f"plan-view-threshold-{item.threshold_base}", locale=locale, percent=shown)
    else:
        share = (
            t("plan-view-share-percent", locale=locale, percent=shown)
            if clean
            else f"{exact.numerator}/{exact.denominator}"
        )
        text = t(f"plan-view-threshold-{comparison}-{item.threshold_base}", locale=locale, share=share)
    if getattr(item, "quorum_num", None) and item.quorum_den:
        quorum = Fraction(item.quorum_num, item.quorum_den)
        text += t("plan-view-quorum", locale=locale, share=f"{quorum.numerator}/{quorum.denominator}")
    return text


def rule_text(rule: dict[str, Any], locale: str | None = None, names: dict[str, str] | None = None) -> str:
    """A criteria rule in words; `names` gives the names of titles and award forms by code."""
    kind = str(rule.get("kind", ""))
    params = dict(rule.get("params") or {})
    if kind == "text":
        return esc(params.get(_lang(locale)) or params.get("vi") or "")
    if kind == "any_of":  # issue 19: one of several rules
        parts = [rule_text(r, locale, names) for r in params.get("rules") or []]
        return t("plan-rule-any_of", locale=locale, rules=t("plan-word-or-sep", locale=locale).join(parts))
    names = names or {}
    shown = {
        "min": t(f"plan-rating-{params.get('min')}", locale=locale),
        "scope": t(f"plan-scope-{params.get('scope')}", locale=locale),
        "title": esc(names.get(str(params.get("title")), params.get("title", ""))),
        "award": esc(names.get(str(params.get("award")), params.get("award", ""))),
    }
    base = t(f"plan-rule-{kind}", locale=locale, **shown)
    extra = []
    for name, key, param in (
        ("consecutive_years", "plan-rule-consecutive", "years"),
        ("within_years", "plan-rule-within", "years"),
        ("min_percent", "plan-rule-min-percent", "percent"),
        ("more_than_percent", "plan-rule-more-than-percent", "percent"),
        ("min_count", "plan-rule-min-count", "count"),
        ("count", "plan-rule-count", "count"),
    ):
        if name in params and param == "years":  # a plural entry: "1 year", "3 years"
            extra.append(tn(key, int(params[name]), locale=locale))
        elif name in params:
            extra.append(t(key, locale=locale, **{param: params[name]}))
    if params.get("members"):
        extra.append(t("plan-rule-members", locale=locale))
    if params.get("kind"):  # an initiative's kind (sáng kiến, đề tài)
        extra.append(t(f"plan-initiative-{params['kind']}", locale=locale))
    if params.get("from"):  # the lightest disciplinary measure that counts
        extra.append(
            t(
                "plan-rule-discipline-from",
                locale=locale,
                measure=t(f"plan-measure-{params['from']}", locale=locale),
            )
        )
    return base + (" (" + "; ".join(extra) + ")" if extra else "")


def money_lines(values: Sequence[Any], locale: str | None = None) -> list[str]:
    return [
        t(
            "plan-view-money",
            locale=locale,
            amount=money(v.amount, locale),
            since=fmt_since(v.effective_from, locale),
        )
        + f" — {esc(v.source)}"
        + _confirm(v.to_confirm, locale)
        for v in values
    ]


def offset(value: str, locale: str | None = None) -> str:
    """'7d' -> '7 ngày' / '7 days'."""
    return tn(f"plan-offset-{value[-1:]}", int(value[:-1]), locale=locale)


def reminder_lines(rules: Sequence[Any], locale: str | None = None) -> list[str]:
    return [
        t(
            "plan-view-reminder",
            locale=locale,
            deadline=t(f"plan-deadline-{r.deadline}", locale=locale),
            offsets=", ".join(offset(o, locale) for o in r.offsets),
            audience=", ".join(t(f"plan-audience-{a}", locale=locale) for a in r.audience),
        )
        for r in rules
    ]
