"""Migration 0019 (issue 22, M20): the personal fields the audit kept before it held ids only are taken
out once; nothing else of an entry changes, and the log is append-only again afterwards."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import downgrade, upgrade

OLD_BEFORE = {"full_name": "Nguyen Van Ba", "position": None, "unit_id": 3}
OLD_AFTER = {"full_name": "Nguyễn Văn Bá", "roles": [{"role": "staff", "unit_id": 3}], "telegram_id": 555}


async def test_old_entries_lose_their_personal_fields_and_nothing_else(db_url):
    engine = make_engine(db_url)
    await downgrade(engine, "0019")
    await downgrade(engine, "-1")  # just before it, wherever the chain puts it
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO audit_log (at, actor_id, action, object_type, object_id, before, after) "
                "VALUES ('2026-01-05 01:00:00', 7, 'person.name', 'person', '12', :b, :a)"
            ),
            {"b": json.dumps(OLD_BEFORE, ensure_ascii=False), "a": json.dumps(OLD_AFTER, ensure_ascii=False)},
        )
        await conn.execute(
            text(
                "INSERT INTO audit_log (at, actor_id, action, object_type, object_id, before, after) "
                "VALUES ('2026-01-05 01:00:00', NULL, 'unit.updated', 'unit', '3', :b, NULL)"
            ),
            {"b": json.dumps({"name": "Phòng TCHC"})},
        )
    await upgrade(engine, "head")
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT action, actor_id, before, after FROM audit_log ORDER BY id"))
        ).all()
    decode = [
        (a, who, *(json.loads(v) if isinstance(v, str) else v for v in (b, af))) for a, who, b, af in rows
    ]
    assert decode == [
        ("person.name", 7, {"full_name": "*", "position": None, "unit_id": 3},
         {"full_name": "*", "roles": [{"role": "staff", "unit_id": 3}], "telegram_id": "*"}),
        ("unit.updated", None, {"name": "Phòng TCHC"}, None),  # a unit's name is no person's
    ]  # fmt: skip
    with pytest.raises(Exception, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE audit_log SET action = 'forged'"))
    await engine.dispose()
