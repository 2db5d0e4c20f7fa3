"""The audit log: services record every state change; nothing updates or deletes an entry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from bot.context import Ctx
from storage.models import AuditEntry

SYSTEM = None  # actor id of changes made by the system or the CLI

# A person's own fields an entry never holds (issue 22, M20): the audit is append-only, so what it keeps it
# keeps for ever, and /forget could not take a name back out of it. An entry holds ids; a personal field it
# names is stored as KEPT_OUT when it had a value (None stays None), so the entry still says which field was
# set or changed, and the person's row says what it is now (/mydata looks it up).
PERSONAL = frozenset(
    {"full_name", "name_search", "position", "hr_id", "birth_date", "email", "phone"}
    | {"telegram_id", "account_name"}
)
KEPT_OUT = "*"


def without_personal(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """`values` with each personal field's value replaced by KEPT_OUT (at every depth)."""
    if values is None:
        return None
    return {k: _scrub(k, v) for k, v in values.items()}


def _scrub(key: str, value: Any) -> Any:
    if key in PERSONAL:
        return None if value is None else KEPT_OUT
    if isinstance(value, dict):
        return without_personal(value)
    if isinstance(value, list):
        return [without_personal(v) if isinstance(v, dict) else v for v in value]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | Fraction):  # exact values stay exact: "0.3", "2/3" (issue 20)
        return str(value)
    return value


class Audit:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    def record(
        self,
        action: str,
        object_type: str,
        object_id: Any = None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        actor_id: int | None = None,
    ) -> AuditEntry:
        if actor_id is None and self.ctx.actor is not None:
            actor_id = self.ctx.actor.person_id
        entry = AuditEntry(
            at=self.ctx.clock.now(),
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            before=without_personal(_jsonable(before)),
            after=without_personal(_jsonable(after)),
        )
        self.ctx.session.add(entry)
        return entry
