"""The failures of a broadcast as a CSV file (UTF-8 with BOM, so that Excel reads the diacritics)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.i18n import t
from bot.services.announce import Failure


def _cell(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula (a group's title is anyone's to choose)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def failures_csv(rows: Sequence[Failure], locale: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t("announce-csv-name", locale=locale), t("announce-csv-status", locale=locale)])
    for r in rows:
        status = "blocked" if r.status == "blocked" else r.status if r.status == "cancelled" else "failed"
        writer.writerow([_cell(r.name), t(f"announce-csv-{status}", locale=locale)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
