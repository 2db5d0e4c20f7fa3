"""The wording of /budget, /papers, /stats, /fund and /blank (issue 21)."""

from __future__ import annotations

from bot.clock import fmt_date
from bot.i18n import grouped, t
from bot.services.documents import Budget, Ledger
from bot.text import esc


def money(amount: int, locale: str | None = None) -> str:
    return t("documents-money", locale=locale, amount=grouped(amount, locale))


def budget_text(b: Budget, locale: str | None = None) -> str:
    head = "documents-budget-decided" if b.decided else "documents-budget-proposed"
    lines = [t(head, locale=locale, round=esc(b.round_en if locale == "en" else b.round_vi),
               numbers=esc(", ".join(b.numbers)))]  # fmt: skip
    if not b.lines:
        return "\n".join([*lines, t("documents-budget-empty", locale=locale)])
    lines.append(t("documents-budget-by-title", locale=locale))
    for title, n, total in b.by("title"):
        lines.append(
            t("documents-budget-line", locale=locale, what=esc(title), count=n, money=money(total, locale))
        )
    lines.append(t("documents-budget-by-unit", locale=locale))
    for unit, n, total in b.by("unit"):
        lines.append(
            t("documents-budget-line", locale=locale, what=esc(unit), count=n, money=money(total, locale))
        )
    lines.append(t("documents-budget-total", locale=locale, money=money(b.total, locale)))
    if b.provisional:
        lines.append(t("documents-budget-provisional", locale=locale))
    return "\n".join(lines)


def ledger_text(ledger: Ledger, locale: str | None = None) -> str:
    lines = [t("documents-fund-head", locale=locale, year=ledger.year, opening=money(ledger.opening, locale))]
    for x in ledger.lines[-20:]:
        lines.append(
            t(f"documents-fund-{x.kind}", locale=locale, day=fmt_date(x.day), text=esc(x.text),
              money=money(x.amount, locale))
        )  # fmt: skip
    lines.append(
        t("documents-fund-foot", locale=locale, income=money(ledger.income, locale),
          spending=money(ledger.spending, locale), balance=money(ledger.balance, locale))
    )  # fmt: skip
    return "\n".join(lines)
