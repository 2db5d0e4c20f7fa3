"""Audit entries hold ids, not names (issue 22, M20): a rename, a roster change and a join leave no name,
position or Telegram account in the append-only audit; /mydata looks the current values up."""

from __future__ import annotations

import json

from bot.services.audit import KEPT_OUT, without_personal
from storage.models import AuditEntry
from tests.handlers.test_join_waiting import CONFIRM, waiting_on_minh
from tests.handlers.test_my_data import my_file


async def audit_text(world) -> str:
    rows = await world.rows(AuditEntry)
    return json.dumps([[e.action, e.before, e.after] for e in rows], ensure_ascii=False)


def test_a_personal_field_is_kept_out_at_every_depth_and_an_empty_one_stays_empty():
    values = {"full_name": "Nguyễn Thị Hoa", "phone": None, "unit_id": 3}
    values["people"] = [{"email": "a@b.vn", "id": 7}]
    assert without_personal(values) == {
        "full_name": KEPT_OUT,
        "phone": None,
        "unit_id": 3,
        "people": [{"email": KEPT_OUT, "id": 7}],
    }


async def test_a_rename_is_audited_without_either_name_and_mydata_shows_the_name_now(world):
    admin = await world.admin("Lê Văn Quản")
    ba = await world.staff("Nguyen Van Ba")
    await admin.send("/people Nguyen Van Ba")
    await admin.click("Nguyen Van Ba")
    await admin.click("Sửa họ tên")
    await admin.send("Nguyễn Văn Bá")
    assert "Nguyễn Văn Bá" in admin.last_text()
    await admin.click("Sửa chức vụ")
    await admin.send("Chuyên viên chính")
    text = await audit_text(world)
    for value in ("Nguyen Van Ba", "Nguyễn Văn Bá", "Chuyên viên chính"):
        assert value not in text, value
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.name")
    assert entry.before == {"full_name": KEPT_OUT} and entry.actor_id == admin.person_id
    data = await my_file(world, ba)
    [renamed] = [e for e in data["changes_to_my_record"] if e["action"] == "person.name"]
    assert renamed["now"] == {"full_name": "Nguyễn Văn Bá"} and renamed["by_me"] is False
    [moved] = [e for e in data["changes_to_my_record"] if e["action"] == "person.position"]
    assert moved["now"] == {"position": "Chuyên viên chính"}


async def test_a_join_by_the_units_link_keeps_neither_the_typed_name_nor_the_account_in_the_audit(world):
    minh, tuan, _ = await waiting_on_minh(world)
    await minh.click(CONFIRM)
    text = await audit_text(world)
    assert "Đặng Minh Tuấn" not in text and str(tuan.id) not in text
    actions = {e.action for e in await world.rows(AuditEntry)}
    assert {"join.claim_sent", "person.created", "person.joined"} <= actions
