"""Documents and figures (issue 21), without Telegram: the rooms return data; bot/exports makes the files.

Rooms (each with one reason to change):
- `common`: the actions and the errors;
- `budget`: a round's award money, before the decision (the council's list) and after it (the decisions');
- `fund`: the emulation fund's ledger per year, its income added by the secretary or finance;
- `papers`: a round's list with the vote's figures and money, its decision, the certificates' pages;
- `layouts`: the certificates' blanks, where each field prints;
- `yearly`: the yearly report to the province; `stats`: the figures of /stats' charts.
"""

from bot.services.documents.budget import Budget, BudgetLine, budget
from bot.services.documents.common import (
    BUDGET,
    FUND_EDIT,
    PAPERS,
    STATS,
    DocumentsError,
    ensure_papers,
)
from bot.services.documents.fund import Ledger, LedgerLine, add_income, ledger, parse_amount
from bot.services.documents.layouts import layout, move
from bot.services.documents.papers import CertificatePage, RoundPapers, certificate_pages, round_papers
from bot.services.documents.stats import Stats, stats
from bot.services.documents.yearly import YearReport, year_report

__all__ = [
    "BUDGET", "FUND_EDIT", "PAPERS", "STATS", "Budget", "BudgetLine", "CertificatePage",
    "DocumentsError", "Ledger", "LedgerLine", "RoundPapers", "Stats", "YearReport", "add_income", "budget",
    "certificate_pages", "ensure_papers", "layout", "ledger", "move", "parse_amount", "round_papers", "stats",
    "year_report",
]  # fmt: skip
