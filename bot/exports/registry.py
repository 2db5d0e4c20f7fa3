"""The export kinds (issue 21): each an async query that reads rows in a unit of work, and a sync build that
turns them into bytes.

A kind lives in its own small module of bot/exports/ and registers itself:

    @export_kind(
        "registrations",
        title="export-kind-registrations",        # the catalogue key of its name (buttons, captions, CLI)
        roles={Role.SECRETARY: Scope.ALL, Role.UNIT_HEAD: Scope.OWN_UNIT},
        filters=("year", "unit"),                  # what may narrow it: round, year, unit
        file_name="dang-ky-thi-dua",               # the file's stem; the filter and the time are added
        build=build_registrations,                 # sync: (rows, locale) -> bytes, run in asyncio.to_thread
    )
    async def registrations(ctx: Ctx, f: ExportFilter) -> list[RegistrationRow]:
        ...                                        # rows of f.units only (None: every unit)

- `roles` becomes the action `export.<name>` in the one authorisation map (bot/roles.py): a role with
  Scope.OWN_UNIT gets the rows of its own unit only. The query MUST apply `f.units` (`f.in_scope(column)`):
  the service sets it from the person's grants, so a forged unit is refused before any query runs.
- `build` gets plain rows (dataclasses, no ORM objects: the session is closed by then) and the requester's
  locale; it must not touch the database. Use bot/exports/workbook.py for workbooks.
- `listed=False` keeps a kind out of /export's menu (and refuses it there): the documents' commands
  (/papers, /budget, /fund, /stats, /blank) ask for it themselves, with a filter the menu does not offer
  (a decision, a blank). `caption` is the catalogue key of the file's caption (`{kind}`, `{rows}` and the
  filter's codes: `{round}`, `{year}`, `{unit}`, `{decision}`). A PNG kind is sent as a photo.
- No kind carries a date of birth, a phone number or an e-mail (tests/exports checks every kind's headers).
- The heavy libraries (openpyxl, docxtpl, reportlab, matplotlib) are imported inside `build`, never at the
  module's top: the CLI and the bot's start stay fast (tests/unit/test_no_aiogram.py).

`kinds()` lists them in registration order, `kind(name)` finds one (None if unknown). Importing
`bot.exports.kinds` registers every kind shipped here; another package's kinds register when imported
from there (add the module to `KIND_MODULES` in bot/exports/kinds.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.roles import Role, Scope, register_rules

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
PNG = "image/png"
CSV = "text/csv"
EXTENSIONS = {XLSX: "xlsx", DOCX: "docx", PDF: "pdf", PNG: "png", CSV: "csv"}

FilterName = Literal["round", "year", "unit", "decision", "blank"]
FILTERS: tuple[FilterName, ...] = ("round", "year", "unit", "decision", "blank")
MENU_FILTERS = ("round", "year", "unit")  # what /export's buttons and `thidua export` can choose


@dataclass(frozen=True)
class ExportFilter:
    """What narrows an export: a plan round, a school year, a unit (ids), a decision (its id and number), a
    certificate blank (its name), and the units the person may see.

    `units` is the scope: None for every unit, else the unit ids of the person's grants (a head: their own).
    The codes are for the file's name and the note at the top; the ids are what queries use."""

    round_id: int | None = None
    school_year_id: int | None = None
    unit_id: int | None = None
    units: frozenset[int] | None = None
    round_code: str | None = None
    year_code: str | None = None
    unit_code: str | None = None
    decision_id: int | None = None
    decision_code: str | None = None  # the decision's number, "123/QĐ-CĐKTCN"
    blank: str | None = None  # a certificate blank's name (bot/services/documents/layouts.py)
    secretary: bool = False  # the whole college's view: objections, anonymous reporters' names
    offered: tuple[str, ...] = (
        "round",
        "year",
        "unit",
    )  # the kind's filters: the lines of the information sheet
    made_at: datetime | None = None  # set by the worker (or the CLI) before the build: the file's note
    locale: str = "vi"  # the requester's language, set with made_at: names of titles and rounds in it
    requester_id: int | None = None  # set with made_at: who asked (the signer of a tờ trình); None: the CLI

    def in_scope(self, column: Any) -> list[Any]:
        """The WHERE conditions of the unit filter and of the scope on a unit id column."""
        conds: list[Any] = []
        if self.unit_id is not None:
            conds.append(column == self.unit_id)
        if self.units is not None:
            conds.append(column.in_(sorted(self.units)))
        return conds

    def as_audit(self) -> dict[str, Any]:
        """What the audit keeps of it: the codes chosen and the scope (never rows); a decision or a blank
        only when the kind takes one."""
        out: dict[str, Any] = {
            "round": self.round_code,
            "year": self.year_code,
            "unit": self.unit_code,
            "scope": None if self.units is None else sorted(self.units),
        }
        if self.decision_id is not None:
            out["decision"] = self.decision_code
        if self.blank is not None:
            out["blank"] = self.blank
        return out

    def codes(self) -> dict[str, str]:
        """The codes chosen, for a caption ("" when not chosen)."""
        return {
            "round": self.round_code or "",
            "year": self.year_code or "",
            "unit": self.unit_code or "",
            "decision": self.decision_code or "",
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "school_year_id": self.school_year_id,
            "unit_id": self.unit_id,
            "units": None if self.units is None else sorted(self.units),
            "round_code": self.round_code,
            "year_code": self.year_code,
            "unit_code": self.unit_code,
            "decision_id": self.decision_id,
            "decision_code": self.decision_code,
            "blank": self.blank,
            "secretary": self.secretary,
            "offered": list(self.offered),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportFilter:
        units = data.get("units")
        return cls(
            round_id=data.get("round_id"),
            school_year_id=data.get("school_year_id"),
            unit_id=data.get("unit_id"),
            units=None if units is None else frozenset(units),
            round_code=data.get("round_code"),
            year_code=data.get("year_code"),
            unit_code=data.get("unit_code"),
            decision_id=data.get("decision_id"),
            decision_code=data.get("decision_code"),
            blank=data.get("blank"),
            secretary=bool(data.get("secretary")),
            offered=tuple(data.get("offered", MENU_FILTERS)),
        )

    def stem_suffix(self) -> str:
        """ "-2025-2026-KCNTT" for the file name: the codes chosen, ASCII only."""
        from bot.exports.workbook import ascii_slug

        parts = [p for p in (self.round_code, self.year_code, self.unit_code, self.decision_code) if p]
        return "".join("-" + ascii_slug(p) for p in parts)


Query = Callable[[Any, ExportFilter], Awaitable[Sequence[Any]]]
Build = Callable[[Sequence[Any], ExportFilter, str], bytes]


@dataclass(frozen=True)
class ExportKind:
    name: str
    title: str  # catalogue key
    query: Query
    build: Build
    roles: dict[Role, Scope]
    filters: tuple[FilterName, ...] = ()
    file_name: str = "export"
    mime: str = XLSX
    order: int = 100
    listed: bool = True  # offered in /export's menu
    caption: str = "export-caption"  # catalogue key: {kind}, {rows}, {round}, {year}, {unit}, {decision}
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return f"export.{self.name}"

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.mime, "bin")

    @property
    def method(self) -> Literal["document", "photo"]:
        """How the outbox sends it: a chart as a photo, anything else as a document."""
        return "photo" if self.mime == PNG else "document"


_KINDS: dict[str, ExportKind] = {}


def export_kind(
    name: str,
    *,
    title: str,
    roles: dict[Role, Scope],
    build: Build,
    filters: Sequence[FilterName] = (),
    file_name: str | None = None,
    mime: str = XLSX,
    order: int = 100,
    listed: bool = True,
    caption: str = "export-caption",
) -> Callable[[Query], Query]:
    """Register the decorated async query as the export kind `name` (see the module's docstring)."""
    if len(name) > 24 or not name.replace("_", "").isalnum():
        raise ValueError(f"an export kind's name is up to 24 letters, digits and _: {name!r}")
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown filters {sorted(unknown)} for export kind {name!r}: use {FILTERS}")

    def register(query: Query) -> Query:
        kind = ExportKind(
            name=name,
            title=title,
            query=query,
            build=build,
            roles=dict(roles),
            filters=tuple(filters),
            file_name=file_name or name.replace("_", "-"),
            mime=mime,
            order=order,
            listed=listed,
            caption=caption,
        )
        register_rules({kind.action: kind.roles})
        _KINDS[name] = kind
        return query

    return register


def kinds() -> list[ExportKind]:
    """Every registered kind, by `order`, then name."""
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.name))


def kind(name: str) -> ExportKind | None:
    return _KINDS.get(name)


def unregister(name: str) -> None:
    """Forget a kind (tests register their own); its action stays declared, harmlessly."""
    _KINDS.pop(name, None)
