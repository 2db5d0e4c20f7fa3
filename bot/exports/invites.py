"""The unit head's sheet of personal links (`thidua invite export`), from InviteService's rows: no date of
birth beside the links (it proves a claim through a shared link)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.clock import fmt_when
from bot.i18n import t
from bot.services.invites import InviteRow

HEADERS = (
    "invite-xlsx-no",
    "invite-xlsx-name",
    "invite-xlsx-position",
    "invite-xlsx-hr-id",
    "invite-xlsx-unit",
    "invite-xlsx-link",
    "invite-xlsx-expires",
)
WIDTHS = (5, 30, 24, 12, 10, 70, 18)


def write_invites_xlsx(path: str | Path, rows: Sequence[InviteRow], locale: str | None = None) -> Path:
    """One row per person, the headers in `locale`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Invites"
    ws.append([t(h, locale=locale) for h in HEADERS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, r in enumerate(rows, start=1):
        ws.append(
            [
                n,
                r.full_name,
                r.position,
                r.hr_id,
                r.unit_code,
                r.link,
                fmt_when(r.expires_at),
            ]
        )
    for col, width in zip("ABCDEFG", WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    out = Path(path)
    wb.save(out)
    return out
