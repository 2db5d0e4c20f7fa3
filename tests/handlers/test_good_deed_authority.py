"""Good deeds: who may read a card and its evidence (they name an anonymous reporter) and who may verify,
each by a forged press (issue 18, item 10); a long deed's card fits (item 5); every copy of a request is
edited once someone acts (item 29)."""

from __future__ import annotations

from storage.models.good_deed import GoodDeed
from tests.handlers.test_good_deed_flow import TEXT, finish, setup, to_evidence

LONG = "Việc tốt: " + "🌟" * 1990  # 2000 characters, 3990 UTF-16 code units


async def refused(who, data: str, words: str) -> None:
    """A forged press: `who` presses `data` and is told why not (an alert of its own, saying `words`)."""
    before = len(who.alerts())
    await who.press(data)
    assert len(who.alerts()) == before + 1 and words in who.alerts()[-1]


async def test_neither_a_colleague_nor_the_person_concerned_reads_the_card_or_the_evidence(world):
    hoa, lan, _minh = await setup(world)
    binh = await world.staff("Lê Văn Bình")
    await to_evidence(hoa)
    await hoa.send_photo(size=200_000)
    await hoa.click("Tiếp tục")
    await finish(hoa, anonymous=True)
    [deed] = await world.rows(GoodDeed)
    for someone in (binh, lan):
        for op in ("card", "ph", "full"):
            await refused(someone, f"gdc:{op}:{deed.id}:0", "không phải người xác minh")
    assert binh.texts() == [] and not any("Nguyễn Thị Hoa" in x for x in lan.texts())
    assert not world.api.calls_of("sendPhoto")


async def test_the_secretary_cannot_verify_a_deed_she_reported(world):
    await setup(world)
    await world.unit("KCNTT", "Khoa Công nghệ thông tin", kind="khoa")
    thu = await world.secretary("Lê Thị Thu")
    tuan = await world.secretary("Vũ Văn Tuấn", unit="KHTC")
    await thu.send("/gooddeed")
    await thu.click("Một đơn vị (tập thể)")
    await thu.click("Khoa Công nghệ thông tin")
    await thu.send(TEXT)
    await thu.send("hôm qua")
    await thu.click("Bỏ qua")
    await thu.click("Gửi")  # a unit's deed: the secretaries verify it, never the one who reported it
    [deed] = await world.rows(GoodDeed)
    await refused(thu, f"gdc:ok:{deed.id}:{deed.version}", "không phải người xác minh")
    assert (await world.rows(GoodDeed))[0].state == "submitted"
    await world.drain_outbox()
    assert "Xác minh" in tuan.buttons()


async def test_the_secretary_cannot_verify_a_deed_about_her(world):
    hoa, _lan, _minh = await setup(world)
    thu = await world.secretary("Lê Thị Thu", unit="KHTC")  # KHTC has no head: the secretary verifies
    tuan = await world.secretary("Vũ Văn Tuấn", unit="KHTC")
    await hoa.send("/gooddeed")
    await hoa.send("Lê Thị Thu")
    await hoa.click("Lê Thị Thu")
    await hoa.send(TEXT)
    await hoa.send("hôm qua")
    await hoa.click("Bỏ qua")
    await finish(hoa)
    [deed] = await world.rows(GoodDeed)
    await refused(thu, f"gdc:ok:{deed.id}:{deed.version}", "không phải người xác minh")
    assert (await world.rows(GoodDeed))[0].state == "submitted"
    await refused(thu, f"gdc:card:{deed.id}:0", "không phải người xác minh")  # it names the reporter
    assert not any("Người báo cáo" in x for x in thu.texts())
    await world.drain_outbox()
    assert "Xác minh" in tuan.buttons() and "Xác minh" not in thu.buttons()


async def test_a_long_deed_fits_its_cards_and_xem_day_du_sends_it_whole(world):
    hoa, _lan, minh = await setup(world)
    await to_evidence(hoa, text=LONG)
    await hoa.click("Bỏ qua")
    await hoa.click("Để tên tôi")
    assert "…" in hoa.last_text() and "Gửi" in hoa.buttons()  # the preview fits ...
    assert "bản nháp, chưa gửi" in hoa.last_text()  # ... and says it is not sent yet
    await hoa.click("Gửi")
    await world.drain_outbox()
    assert "Đề nghị xác minh" in minh.last_text() and "…" in minh.last_text()
    assert minh.buttons()[:3] == ["Xác minh", "Từ chối", "Xem đầy đủ"]
    await minh.click("Xem đầy đủ")
    whole = "".join(m.text or "" for m in minh.messages()[1:])
    assert whole.count("🌟") == 1990


async def test_when_the_deputy_verifies_the_heads_copy_of_the_request_shows_it(world):
    hoa, _lan, minh = await setup(world)
    hang = await world.deputy("Vũ Thị Hằng")
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    await world.drain_outbox()
    assert "Đề nghị xác minh" in minh.last_text() and "Đề nghị xác minh" in hang.last_text()
    await hang.click("Xác minh")
    await world.drain_outbox()
    [request] = [m for m in minh.messages() if "Đề nghị xác minh" in (m.text or "")]
    assert "Tình trạng: đã xác minh" in request.text and "Vũ Thị Hằng" in request.text
    assert "Xác minh" not in [b for b, _ in request.buttons()]
