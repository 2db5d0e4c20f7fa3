"""audit ids: the personal fields audit entries kept before they held ids only are taken out, once (issue 22, M20)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

From this release on `Audit.record` stores a personal field's value as "*" (bot/services/audit.py). The
entries written before still hold names, positions, contact fields and Telegram accounts, and the log is
append-only (triggers since 0001), so /forget could not take them out. This migration rewrites those fields
the same way, once: the triggers are dropped for it and created again, in the same transaction. Only the
personal fields change; nothing else of any entry. The downgrade cannot bring the values back: it does
nothing (the triggers stay).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# bot/services/audit.py's PERSONAL and KEPT_OUT as they were when this ran (a migration never imports the app)
PERSONAL = frozenset(
    {
        "full_name",
        "name_search",
        "position",
        "hr_id",
        "birth_date",
        "email",
        "phone",
        "telegram_id",
        "account_name",
    }
)
KEPT_OUT = "*"
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql").with_variant(sqlite.JSON(), "sqlite")
AUDIT = sa.table(
    "audit_log", sa.column("id", sa.BigInteger()), sa.column("before", JSON), sa.column("after", JSON)
)

TRIGGERS_SQLITE = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
TRIGGERS_PG = [
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
]


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (None if v is None else KEPT_OUT) if k in PERSONAL else _scrub(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    rows = bind.execute(sa.select(AUDIT.c.id, AUDIT.c.before, AUDIT.c.after)).all()
    changed = [(r.id, _scrub(r.before), _scrub(r.after)) for r in rows]
    changed = [(i, b, a) for (i, b, a), r in zip(changed, rows, strict=True) if (b, a) != (r.before, r.after)]
    if not changed:
        return
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    for entry_id, before, after in changed:
        bind.execute(sa.update(AUDIT).where(AUDIT.c.id == entry_id).values(before=before, after=after))
    for sql in TRIGGERS_SQLITE if dialect == "sqlite" else TRIGGERS_PG if dialect == "postgresql" else []:
        op.execute(sql)


def downgrade() -> None:
    pass  # the values taken out are gone; the triggers were never left dropped
