"""The college's units, loaded from a YAML file (`thidua org load`). A corrected file updates in place.

units:
  - code: TCHC
    name: Phòng Tổ chức – Hành chính
    kind: phong          # phong | khoa | trung_tam | doan_the
    parent: null         # code of the parent unit, if any
    example: false       # true for plausible example units not named by the plan
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.context import Ctx
from bot.errors import DomainError
from bot.services.audit import Audit
from bot.text import nfc
from storage.models import Unit
from storage.repositories.roster import RosterRepo

KINDS = ("phong", "khoa", "trung_tam", "doan_the")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class OrgFileInvalid(DomainError):
    """The file cannot be loaded; `problems` lists (entry number, catalogue key, params)."""

    key = "people-org-invalid"

    def __init__(self, problems: list[tuple[int, str, dict[str, Any]]]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    example: bool


@dataclass
class OrgResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_org_file(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as fp:
        return yaml.safe_load(fp)


def parse_org(data: Any) -> list[UnitSpec]:
    """Check the whole file first; raise OrgFileInvalid listing every problem (entries count from 1)."""
    specs, problems = _parse(data)
    if problems:
        raise OrgFileInvalid(problems)
    return specs


def _parse(data: Any) -> tuple[list[UnitSpec], list[tuple[int, str, dict[str, Any]]]]:
    problems: list[tuple[int, str, dict[str, Any]]] = []
    entries = data.get("units") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise OrgFileInvalid([(0, "people-org-no-units", {})])
    specs: list[UnitSpec] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append((n, "people-org-not-a-unit", {}))
            continue
        code = str(entry.get("code") or "").strip()
        name = nfc(" ".join(str(entry.get("name") or "").split()))
        kind = str(entry.get("kind") or "").strip()
        parent = entry.get("parent")
        parent = str(parent).strip() if parent not in (None, "") else None
        example = entry.get("example", False)
        if not CODE_RE.match(code):
            problems.append((n, "people-org-bad-code", {"code": code}))
        elif code in seen:
            problems.append((n, "people-org-duplicate-code", {"code": code}))
        seen.add(code)
        if not name or len(name) > 200:
            problems.append((n, "people-org-bad-name", {"code": code}))
        if kind not in KINDS:
            problems.append(
                (n, "people-org-bad-kind", {"code": code, "kind": kind, "kinds": ", ".join(KINDS)})
            )
        if not isinstance(example, bool):
            problems.append((n, "people-org-bad-example", {"code": code}))
        specs.append(UnitSpec(code, name, kind, parent, bool(example)))
    return specs, problems


class OrgService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = RosterRepo(ctx.session)

    async def load(self, data: Any) -> OrgResult:
        """Create or update every unit of `data`; units not in the file are left as they are."""
        specs, problems = _parse(data)
        existing = await self.repo.units_by_code()
        known = set(existing) | {s.code for s in specs}
        by_code = {s.code: s for s in specs}
        for n, spec in enumerate(specs, start=1):
            if spec.parent is not None and spec.parent not in known:
                problems.append((n, "people-org-unknown-parent", {"code": spec.code, "parent": spec.parent}))
            elif spec.parent is not None and self._cycle(spec.code, by_code, existing):
                problems.append((n, "people-org-cycle", {"code": spec.code}))
        if problems:
            raise OrgFileInvalid(sorted(problems, key=lambda p: p[0]))

        result = OrgResult()
        audit = Audit(self.ctx)
        for spec in specs:  # first pass: every unit exists, so parents can be set in any order
            unit = existing.get(spec.code)
            if unit is None:
                unit = Unit(
                    code=spec.code, name=spec.name, kind=spec.kind, is_example=spec.example, active=True
                )
                self.repo.add(unit)
                existing[spec.code] = unit
                result.created.append(spec.code)
        await self.ctx.session.flush()
        for spec in specs:
            unit = existing[spec.code]
            parent_id = existing[spec.parent].id if spec.parent else None
            after = {
                "code": spec.code,
                "name": spec.name,
                "kind": spec.kind,
                "parent_id": parent_id,
                "is_example": spec.example,
                "active": True,
            }
            if spec.code in result.created:
                unit.parent_id = parent_id
                audit.record("unit.created", "unit", unit.id, after=after)
                continue
            before = {
                "code": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "parent_id": unit.parent_id,
                "is_example": unit.is_example,
                "active": unit.active,
            }
            if before == after:
                result.unchanged.append(spec.code)
                continue
            unit.name, unit.kind, unit.parent_id = spec.name, spec.kind, parent_id
            unit.is_example, unit.active = spec.example, True
            audit.record("unit.updated", "unit", unit.id, before=before, after=after)
            result.updated.append(spec.code)
        return result

    @staticmethod
    def _cycle(code: str, by_code: dict[str, UnitSpec], existing: dict[str, Unit]) -> bool:
        ids = {u.id: c for c, u in existing.items()}
        seen = {code}
        current: str | None = code
        while current is not None:
            if current in by_code:
                current = by_code[current].parent
            elif current in existing and existing[current].parent_id is not None:
                current = ids.get(existing[current].parent_id)  # type: ignore[arg-type]
            else:
                current = None
            if current is not None:
                if current in seen:
                    return True
                seen.add(current)
        return False
