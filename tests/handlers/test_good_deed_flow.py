"""Good deeds: a colleague reports one (a photo, an album, a document, or none); the head verifies it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from storage.models import AuditEntry, OutboxMessage
from storage.models.good_deed import GoodDeed, GoodDeedFile

PLAN = "plans/2021-2025.yaml"
NOW = datetime(2024, 10, 15, 9, 0, tzinfo=VN_TZ)
TEXT = "Anh đã ở lại sau giờ để giúp sinh viên sửa máy thực hành trước kỳ thi."


async def setup(world: World) -> tuple[Chatter, Chatter, Chatter]:
    world.clock.set(NOW)
    await world.load_plan(PLAN)
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.staff("Đặng Văn Lân")
    minh = await world.unit_head("Trần Văn Minh")
    return hoa, lan, minh


async def to_evidence(reporter: Chatter, query: str = "dang van lan", text: str = TEXT) -> None:
    await reporter.send("/gooddeed")
    await reporter.send(query)
    await reporter.click("Đặng Văn Lân")
    await reporter.send(text)
    await reporter.send("hôm qua")


async def finish(reporter: Chatter, *, anonymous: bool = False) -> None:
    await reporter.click("Ẩn tên tôi" if anonymous else "Để tên tôi")
    await reporter.click("Gửi")


async def test_album_of_three_confirmed_once_after_the_last_photo_then_verified(world):
    hoa, lan, minh = await setup(world)
    await to_evidence(hoa)
    await hoa.send_album(3)
    await world.drain_outbox(wait=False)
    assert not any("Đã nhận" in x for x in hoa.texts())  # no confirmation before the album settles
    world.clock.advance(seconds=3)
    await world.drain_outbox()
    assert [x for x in hoa.texts() if "Đã nhận" in x] == ["Đã nhận 3 ảnh. Bấm “Tiếp tục” để xem lại."]
    assert hoa.last().markup is not None  # the buttons ride on the text, not on the album
    await hoa.click("Tiếp tục")
    await finish(hoa)
    [deed] = await world.rows(GoodDeed)
    assert (deed.state, deed.person_id is not None, deed.happened_on) == (
        "submitted",
        True,
        NOW.date() - timedelta(days=1),
    )
    assert len(await world.rows(GoodDeedFile)) == 3
    await world.drain_outbox()
    assert "Đề nghị xác minh" in minh.last_text() and "Nguyễn Thị Hoa" in minh.last_text()
    await minh.click("Xem ảnh (3)")
    assert world.api.calls_of("sendMediaGroup")
    await minh.click("Xác minh")
    [deed] = await world.rows(GoodDeed)
    assert deed.state == "verified"
    assert any("Tình trạng: đã xác minh" in x for x in minh.texts())  # the card edited in place
    await world.drain_outbox()
    assert "đã được xác minh" in hoa.last_text()
    assert "đồng nghiệp Nguyễn Thị Hoa ghi nhận" in lan.last_text()
    actions = [a.action for a in await world.rows(AuditEntry) if a.action.startswith("good_deed")]
    assert actions == ["good_deed.submitted", "good_deed.verified"]


async def test_anonymous_reporter_is_hidden_from_the_person_only(world):
    hoa, lan, minh = await setup(world)
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa, anonymous=True)
    await world.drain_outbox()
    assert "Nguyễn Thị Hoa" in minh.last_text()
    await minh.click("Xác minh")
    await world.drain_outbox()
    assert "một đồng nghiệp ghi nhận" in lan.last_text() and "Hoa" not in lan.last_text()


@pytest.mark.restarts("GoodDeedSG", "GoodDeedRejectSG")
async def test_head_rejects_with_a_reason(world):
    hoa, lan, minh = await setup(world)
    await to_evidence(hoa)
    await hoa.send_document("minh-chung.pdf", "application/pdf", 1000)
    await hoa.click("Tiếp tục")
    await finish(hoa)
    await world.drain_outbox()
    await minh.click("Từ chối")
    await minh.send("Chưa đủ thông tin")
    [deed] = await world.rows(GoodDeed)
    assert (deed.state, deed.reason) == ("rejected", "Chưa đủ thông tin")
    await world.drain_outbox()
    assert "Chưa đủ thông tin" in hoa.last_text()
    assert not any("ghi nhận" in x for x in lan.texts())


async def test_deed_reported_by_the_head_goes_to_the_secretary(world):
    _hoa, _lan, minh = await setup(world)
    sec = await world.secretary("Lê Thu Hà", unit="KHTC")
    await to_evidence(minh)
    await minh.click("Bỏ qua")
    await finish(minh)
    await world.drain_outbox()
    assert "Đề nghị xác minh" in sec.last_text()
    assert not any("Đề nghị xác minh" in x for x in minh.texts())


async def test_pending_lists_the_deed_for_the_head(world):
    hoa, _lan, minh = await setup(world)
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    await minh.send("/pending")
    assert "chờ xác minh: 1" in minh.last_text()


async def test_gooddeeds_counts_verified_per_person(world):
    hoa, _lan, minh = await setup(world)
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    await world.drain_outbox()
    await minh.click("Xác minh")
    await hoa.send("/gooddeeds")
    assert "Đặng Văn Lân: 1 việc tốt" in hoa.last_text()


# -- bad input --------------------------------------------------------------------------------------
async def test_album_of_six_is_refused_and_nothing_kept(world):
    hoa, _lan, _minh = await setup(world)
    await to_evidence(hoa)
    await hoa.send_album(6)
    world.clock.advance(seconds=3)
    await world.drain_outbox()
    assert "quá 5 ảnh" in hoa.last_text()
    assert (await hoa.data())["draft"]["files"] == []
    assert (
        len(
            [
                r
                for r in await world.rows(OutboxMessage)
                if r.idempotency_key and "gd-album" in r.idempotency_key
            ]
        )
        == 1
    )


async def test_search_with_two_letters_asks_for_more(world):
    hoa, _lan, _minh = await setup(world)
    await hoa.send("/gooddeed")
    await hoa.send("la")
    assert "ít nhất 3 chữ cái" in hoa.last_text()


async def test_text_too_short_and_day_in_the_future_or_before_the_period(world):
    hoa, _lan, _minh = await setup(world)
    await hoa.send("/gooddeed")
    await hoa.send("Lân")
    await hoa.click("Đặng Văn Lân")
    await hoa.send("Tốt lắm")
    assert "quá ngắn" in hoa.last_text()
    await hoa.send(TEXT)
    await hoa.send("20/10/2024")
    assert "chưa đến" in hoa.last_text()
    await hoa.send("01/01/2019")
    assert "trước giai đoạn" in hoa.last_text()
    assert await hoa.state() == "GoodDeedSG:day"


async def test_wrong_file_type_and_too_large_photo(world):
    hoa, _lan, _minh = await setup(world)
    await to_evidence(hoa)
    await hoa.send_document("virus.exe", "application/x-msdownload", 1000)
    assert "không đúng loại" in hoa.last_text()
    await hoa.send_photo(size=11 * 1024 * 1024)
    assert "quá lớn" in hoa.last_text()
    assert (await hoa.data())["draft"]["files"] == []


async def test_forged_callback_and_stale_button(world):
    hoa, lan, minh = await setup(world)
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    [deed] = await world.rows(GoodDeed)
    await lan.press(f"gdc:ok:{deed.id}:1")  # the person concerned is not the head
    assert "không phải người xác minh" in lan.alerts()[-1]
    await world.drain_outbox()
    await minh.click("Xác minh")
    await minh.press(f"gdc:no:{deed.id}:1")  # the old version
    assert "đã được Trần Văn Minh xác minh" in minh.alerts()[-1]
    [deed] = await world.rows(GoodDeed)
    assert deed.state == "verified"


async def test_the_same_update_twice_stores_one_deed(world):
    hoa, _lan, _minh = await setup(world)
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await hoa.click("Để tên tôi")
    update = hoa.callback_update(hoa.find_button("Gửi")[1], hoa.find_button("Gửi")[0])
    await world.feed(update)
    await world.feed(update)
    assert len(await world.rows(GoodDeed)) == 1


async def test_a_single_photo_and_a_document_are_kept_as_evidence(world):
    hoa, _lan, _minh = await setup(world)
    await to_evidence(hoa)
    await hoa.send_photo(size=200_000)
    world.clock.advance(seconds=3)
    await world.drain_outbox()
    await hoa.click("Tiếp tục")
    await finish(hoa)
    await to_evidence(hoa, text=TEXT + " Lần thứ hai, có biên bản.")
    await hoa.send_document("bien-ban.pdf", "application/pdf", 300_000)
    assert hoa.last_text() == "Đã nhận tệp “bien-ban.pdf”. Bấm “Tiếp tục” để xem lại."
    await hoa.click("Tiếp tục")
    await finish(hoa)
    files = await world.rows(GoodDeedFile)
    assert sorted(f.kind for f in files) == ["document", "photo"]
    assert [f.name for f in files if f.kind == "document"] == ["bien-ban.pdf"]
    assert len(await world.rows(GoodDeed)) == 2


async def test_a_deed_from_a_unit_with_no_linked_head_goes_to_the_secretary(world):
    world.clock.set(NOW)
    await world.load_plan(PLAN)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await world.staff("Đặng Văn Lân", unit="KCNTT")
    thu = await world.secretary("Lê Thị Thu")
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    await world.drain_outbox()
    assert "Đề nghị xác minh" in thu.last_text() and "Đặng Văn Lân" in thu.last_text()
    assert "Xác minh" in thu.buttons()
