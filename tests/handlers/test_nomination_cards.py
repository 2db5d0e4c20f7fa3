"""The nomination's card (issue 18): it fits Telegram's 4096 UTF-16 code units however long the summary and
however many good deeds, with "Xem đầy đủ" for the whole (item 5); it names who nominated and when, and the
secretary reads the report from it (item 18); one number per nomination (item 22); the draft says it is
not sent (item 23)."""

from __future__ import annotations

from datetime import date

from storage.models import Person
from storage.models.good_deed import GoodDeed
from storage.models.plan import PlanPeriod
from tests.handlers.test_nomination_flow import REPORT, SUMMARY, nominate, open_round, write_report

LONG_SUMMARY = ("Hoàn thành xuất sắc nhiệm vụ 🏅 " * 100)[:3000]  # 3000 characters, 3097 code units


async def verified_deeds(world, about, reporter, n: int) -> list[str]:
    """`n` verified good deeds about `about`, as if reported and verified; their texts."""
    [period] = await world.rows(PlanPeriod)
    [person] = await world.rows(Person, Person.id == about.person_id)
    texts = [f"Việc tốt số {i:02d}: " + "giúp đỡ đồng nghiệp và sinh viên " * 4 for i in range(n)]
    async with world.session() as s:
        for i, text in enumerate(texts):
            s.add(
                GoodDeed(
                    period_id=period.id,
                    subject="person",
                    person_id=person.id,
                    unit_id=person.unit_id,
                    reporter_id=reporter.person_id,
                    anonymous=False,
                    text=text.strip(),
                    happened_on=date(2024, 10, 1 + i),
                    state="verified",
                    created_at=world.clock.now(),
                    version=2,
                )
            )
        await s.commit()
    return [x.strip() for x in texts]


async def test_a_card_with_a_long_summary_and_ten_deeds_fits_and_xem_day_du_gives_the_whole(world):
    await open_round(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.staff("Đặng Văn Lân")
    minh = await world.unit_head("Trần Văn Minh")
    deeds = await verified_deeds(world, hoa, lan, 10)
    await minh.send("/nominate")
    await minh.click("Một người của")
    await minh.send("Hoa")
    await minh.click("Nguyễn Thị Hoa")
    await minh.click("Lao động tiên tiến")
    await minh.send(LONG_SUMMARY)
    for i in range(10):
        await minh.click(f"Việc tốt số {i:02d}")
    await minh.click("Xong")
    await minh.click("Bỏ qua")
    preview = minh.last_text()
    assert "bản nháp, chưa gửi" in preview and "Việc tốt đính kèm: 10" in preview and "…" in preview
    assert minh.buttons() == ["Gửi đề nghị", "Hủy", "Xem đầy đủ"]
    before = len(minh.messages())
    await minh.click("Xem đầy đủ")  # the draft whole, before sending
    drafted = "\n".join(m.text or "" for m in minh.messages()[before:])
    assert "bản nháp" in drafted and drafted.count("🏅") == LONG_SUMMARY.count("🏅")
    assert await minh.state() == "NominateSG:confirm"
    await minh.click("Gửi đề nghị")
    [sent] = [m for m in minh.messages() if "Đã gửi đề nghị khen thưởng" in (m.text or "")]
    assert "Xem đầy đủ" in [b for b, _ in sent.buttons()]  # the preview, edited in place
    before = len(minh.messages())
    await minh.click("Xem đầy đủ")
    whole = "\n".join(m.text or "" for m in minh.messages()[before:])
    assert len(minh.messages()) - before >= 2  # in parts, each within the limit
    assert whole.count("🏅") == LONG_SUMMARY.count("🏅")
    assert all(text in whole for text in deeds)


async def test_the_card_names_who_nominated_and_when_and_the_secretary_reads_the_accepted_report(world):
    await open_round(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    await nominate(minh)
    await world.drain_outbox()
    await write_report(hoa)
    await world.drain_outbox()
    await minh.click("Duyệt báo cáo")
    await lan.send("/nominations")
    await lan.click("Nguyễn Thị Hoa")
    card = lan.last_text()
    assert "Người đề nghị: Trần Văn Minh, 09:00 ngày 15/10/2024" in card
    assert "Báo cáo thành tích: đã duyệt" in card
    await lan.click("Xem báo cáo")
    assert REPORT.strip() in lan.last_text()


async def test_the_lists_number_is_the_cards_number(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    await world.staff("Lê Văn Bình")
    minh = await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await nominate(minh, "Bình")
    await minh.send("/nominations")
    assert "1. Nguyễn Thị Hoa" in minh.last_text() and "2. Lê Văn Bình" in minh.last_text()
    await minh.click("Số 1")
    assert "Đề nghị khen thưởng số 1" in minh.last_text() and "Nguyễn Thị Hoa" in minh.last_text()


async def test_the_draft_says_it_is_not_sent_yet(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    await minh.click("Một người của")
    await minh.send("Hoa")
    await minh.click("Nguyễn Thị Hoa")
    await minh.click("Lao động tiên tiến")
    await minh.send(SUMMARY)
    await minh.click("Bỏ qua")
    assert "Trạng thái: bản nháp, chưa gửi" in minh.last_text()
    assert "đã gửi" not in minh.last_text() and "Báo cáo thành tích:" not in minh.last_text()
