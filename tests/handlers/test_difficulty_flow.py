"""Difficulties: raised by staff or a unit head, answered by the secretary, forwarded to the principal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.context import Ctx
from bot.devtools.harness import Chatter, World
from bot.identity import IdentityCache
from bot.plan import parse_plan
from bot.roles import Role
from bot.services.plan import PlanService
from storage.models import AuditEntry, OutboxMessage
from storage.models.difficulty import Difficulty
from storage.models.plan import PlanMovement, PlanPeriod
from storage.uow import UnitOfWork

SEED_PLAN = Path(__file__).resolve().parents[2] / "plans" / "2021-2025.yaml"
TEXT = "Phòng chưa nhận được mẫu báo cáo thành tích năm học 2025–2026."


async def raise_difficulty(person: Chatter, text: str = TEXT, *, unit: bool | None = None) -> None:
    """Goes through /difficulty up to the preview (no file, no topic) and presses Gửi."""
    await person.send("/difficulty")
    if unit is not None:
        await person.click("Thay mặt" if unit else "Cá nhân tôi")
    await person.send(text)
    await person.click("Bỏ qua")
    await person.click("Gửi")


async def only_item(world: World) -> Difficulty:
    [item] = await world.rows(Difficulty)
    return item


async def raised_with_principal(world: World) -> tuple[Chatter, Chatter, Chatter]:
    """Hoa (staff) has raised a difficulty, which secretary Lan has received; Hiệu is the principal."""
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    hieu = await world.person("Võ Văn Hiệu", Role.PRINCIPAL)
    await raise_difficulty(hoa)
    await world.drain_outbox()
    return hoa, lan, hieu


async def test_staff_raises_difficulty_and_every_secretary_gets_it_with_buttons(world):
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await raise_difficulty(hoa)
    assert "Đã gửi khó khăn, vướng mắc số" in hoa.last_text()
    assert await hoa.state() is None
    await world.drain_outbox()
    for sec in (lan, binh):
        assert TEXT in sec.last_text() and "Nguyễn Thị Hoa" in sec.last_text()
        assert sec.buttons() == ["Trả lời", "Chuyển Hiệu trưởng"]
    item = await only_item(world)
    assert (item.state, item.on_behalf_of_unit, item.text) == ("open", False, TEXT)
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "difficulty.raised")
    assert entry.before is None and entry.after["state"] == "open"


async def test_secretary_answer_reaches_the_sender_and_closes_the_item(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời")
    assert "Vui lòng nhập câu trả lời" in lan.last_text()
    await lan.send("Mẫu báo cáo đã đăng trên trang nội bộ, mục Thi đua.")
    assert "Đã gửi câu trả lời" in lan.last_text()
    await world.drain_outbox()
    assert "Mẫu báo cáo đã đăng trên trang nội bộ" in hoa.last_text()
    item = await only_item(world)
    assert item.state == "answered" and item.answered_by == lan.person_id
    card = lan.messages()[0]
    assert "Mẫu báo cáo đã đăng" in (card.text or "") and card.markup is None
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "difficulty.answered")
    assert entry.before["state"] == "open" and entry.after["state"] == "answered"


async def test_unit_head_raises_on_behalf_of_the_unit(world):
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    lan = await world.secretary("Lê Thị Lan")
    await minh.send("/difficulty")
    assert minh.buttons() == ["Cá nhân tôi", "Thay mặt Phòng KCNTT"]
    await minh.click("Thay mặt")
    await minh.send(TEXT)
    await minh.click("Bỏ qua")
    assert "Gửi thay mặt Phòng KCNTT." in minh.last_text()
    await minh.click("Gửi")
    item = await only_item(world)
    kcntt = await world.unit("KCNTT")
    assert item.on_behalf_of_unit and item.unit_id == kcntt.id
    await world.drain_outbox()
    assert "Trần Văn Minh, thay mặt Phòng KCNTT" in lan.last_text()


async def test_unit_head_may_raise_personally(world):
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    await raise_difficulty(minh, unit=False)
    item = await only_item(world)
    assert not item.on_behalf_of_unit and item.author_id == minh.person_id


async def test_document_goes_to_secretaries_after_the_card(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    sent = await hoa.send_document("bao-cao.pdf", "application/pdf", 200_000)
    file_id = sent.message.document.file_id
    assert "Tệp kèm theo: bao-cao.pdf" in hoa.last_text()
    await hoa.click("Gửi")
    item = await only_item(world)
    assert (item.file_kind, item.file_id, item.file_name) == ("document", file_id, "bao-cao.pdf")
    await world.drain_outbox()
    card, doc = lan.messages()
    assert card.kind == "text" and "bao-cao.pdf" in (card.text or "") and card.markup is not None
    assert doc.kind == "document" and doc.file_id == file_id


async def test_photo_goes_to_secretaries_as_a_photo(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    await hoa.send_photo(300_000)
    await hoa.click("Gửi")
    assert (await only_item(world)).file_kind == "photo"
    await world.drain_outbox()
    assert [m.kind for m in lan.messages()] == ["text", "photo"]


async def test_secretary_in_english_gets_the_card_in_english(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    john = await world.secretary("John Smith", language="en")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    assert "New difficulty no." in john.last_text()
    assert john.buttons() == ["Answer", "Forward to the principal"]


async def test_forward_sends_the_item_to_the_principal_with_a_reply_button(world):
    _hoa, lan, hieu = await raised_with_principal(world)
    await lan.click("Chuyển Hiệu trưởng")
    assert "Đã chuyển khó khăn" in lan.alerts()[-1]
    assert lan.buttons() == ["Trả lời"] and "Đã chuyển xin ý kiến Hiệu trưởng" in lan.messages()[0].text
    item = await only_item(world)
    assert item.state == "forwarded" and item.forwarded_by == lan.person_id
    await world.drain_outbox()
    assert TEXT in hieu.last_text() and hieu.buttons() == ["Phản hồi"]
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "difficulty.forwarded")
    assert entry.before == {"state": "open"} and entry.after["state"] == "forwarded"


@pytest.mark.restarts("DifficultySG", "DifficultyReplySG", "DifficultyAnswerSG")
async def test_principal_reply_comes_back_to_the_secretaries_who_then_answer(world):
    hoa, lan, hieu = await raised_with_principal(world)
    await lan.click("Chuyển Hiệu trưởng")
    await world.drain_outbox()
    await hieu.click("Phản hồi")
    await hieu.send("Đồng ý, đề nghị Phòng TC-HC gửi lại mẫu cho các đơn vị.")
    assert "Đã gửi ý kiến" in hieu.last_text()
    assert hieu.messages()[0].markup is None  # the card shows the reply, the button is gone
    item = await only_item(world)
    assert item.principal_reply.startswith("Đồng ý") and item.state == "forwarded"
    await world.drain_outbox()
    assert "Đồng ý, đề nghị Phòng TC-HC" in lan.last_text() and lan.buttons() == ["Trả lời"]
    await lan.click("Trả lời")
    await lan.send("Phòng TC-HC đã gửi lại mẫu qua email đơn vị.")
    await world.drain_outbox()
    assert "đã gửi lại mẫu qua email" in hoa.last_text()
    assert (await only_item(world)).state == "answered"
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "difficulty.principal_replied")
    assert entry.before["principal_reply"] is None and entry.after["principal_reply"].startswith("Đồng ý")


async def test_forward_without_a_principal_tells_the_secretary_and_changes_nothing(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Chuyển Hiệu trưởng")
    assert "Chưa có Hiệu trưởng" in lan.alerts()[-1]
    assert (await only_item(world)).state == "open"
    assert await world.rows(AuditEntry, AuditEntry.action == "difficulty.forwarded") == []


async def test_topic_is_asked_and_stored_when_the_plan_has_movements(world, monkeypatch):
    from bot.services import difficulty as svc

    async def topics(session):
        return [
            svc.Topic("movement", "doi-moi", {"vi": "Đổi mới, sáng tạo", "en": "Innovation"}),
            svc.Topic("round", "2025-2026", {"vi": "Năm học 2025–2026", "en": "School year 2025–2026"}),
        ]

    monkeypatch.setattr(svc, "load_plan_topics", topics)
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    await hoa.click("Bỏ qua")
    assert hoa.buttons() == ["Phong trào: Đổi mới, sáng tạo", "Đợt xét: Năm học 2025–2026", "Bỏ qua"]
    await hoa.click("Phong trào: Đổi mới")
    await hoa.click("Gửi")
    item = await only_item(world)
    assert (item.topic_kind, item.topic_code) == ("movement", "doi-moi")
    await world.drain_outbox()
    assert "Liên quan phong trào: Đổi mới, sáng tạo" in lan.last_text()


async def test_without_plan_tables_the_topic_step_is_skipped(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    await hoa.click("Bỏ qua")
    assert "Xem lại khó khăn" in hoa.last_text()
    assert hoa.buttons() == ["Gửi", "Hủy"]


async def test_cancel_on_the_preview_sends_nothing(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.secretary("Lê Thị Lan")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    await hoa.click("Bỏ qua")
    await hoa.click("Hủy")
    assert "Đã hủy" in hoa.last_text()
    assert await world.rows(Difficulty) == [] and await world.rows(OutboxMessage) == []
    assert await hoa.state() is None


async def test_slash_cancel_works_while_typing_the_text(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send("/cancel")
    assert await hoa.state() is None
    assert await world.rows(Difficulty) == []


async def test_movements_of_the_latest_loaded_plan_are_offered(world):
    async with world.session() as s:
        periods = []
        for code, start in (("2021-2025", 2021), ("2026-2030", 2026)):
            period = PlanPeriod(
                code=code,
                start_year=start,
                end_year=start + 4,
                title_vi=code,
                title_en=code,
                source_yaml="",
                source_sha256="0" * 64,
                loaded_at=world.clock.now(),
            )
            s.add(period)
            periods.append(period)
        await s.flush()
        for period, name in zip(periods, ("Phong trào cũ", "Văn hóa công sở"), strict=True):
            s.add(
                PlanMovement(
                    period_id=period.id,
                    code="vhcs",
                    position=1,
                    name_vi=name,
                    name_en="Workplace",
                    collective_vi="-",
                    individual_vi="-",
                )
            )
        await s.commit()
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    await hoa.click("Bỏ qua")
    assert hoa.buttons() == ["Phong trào: Văn hóa công sở", "Bỏ qua"]
    await hoa.click("Văn hóa công sở")
    await hoa.click("Gửi")
    item = await only_item(world)
    assert (item.topic_kind, item.topic_code) == ("movement", "vhcs")


async def test_rounds_of_the_loaded_plan_are_offered_and_stored(world):
    text = SEED_PLAN.read_text(encoding="utf-8")
    async with UnitOfWork(world.sessionmaker) as uow:
        await PlanService(Ctx(uow, world.clock, IdentityCache(), world.settings)).load(
            parse_plan(text, str(SEED_PLAN)), text, SEED_PLAN
        )
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    await hoa.click("Bỏ qua")
    labels = hoa.buttons()
    assert [b.split(":")[0] for b in labels] == ["Phong trào"] * 3 + ["Đợt xét"] * 6 + ["Bỏ qua"]
    await hoa.click("Đợt xét: Bình xét thi đua, khen thưởng năm học 2022-2023")
    await hoa.click("Gửi")
    item = await only_item(world)
    assert (item.topic_kind, item.topic_code) == ("round", "yearly-2022-2023")
    await world.drain_outbox()
    assert "Liên quan đợt xét: Bình xét thi đua, khen thưởng năm học 2022-2023" in lan.last_text()
