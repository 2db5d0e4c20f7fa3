"""/announce, a second pass: what the sender sees on the phone matches what goes out, however long."""

from __future__ import annotations

import pytest

from bot.tghtml import visible_length
from tests.handlers.announce_steps import bind, pick_exemplar, posts, setup, to_draft, to_preview


async def test_a_draft_longer_than_one_message_is_shown_whole_in_parts(world):
    thu, team = await setup(world)
    await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    line = "Giảng dạy xuất sắc, hướng dẫn sinh viên nghiên cứu khoa học đạt giải & " * 4
    for i in range(16):  # sixteen lines of achievement of about 290 characters: over 4,096 in all
        await pick_exemplar(thu, "nguyen thi hoa", "Nguyễn Thị Hoa", "Lao động tiên tiến", f"{i:02d} {line}")
        await thu.click("Thêm điển hình" if i < 15 else "Xong")
    await thu.click("Bỏ qua")
    shown = [
        m.text or "" for m in thu.messages() if "BIỂU DƯƠNG" in (m.text or "") or "15 Giảng" in (m.text or "")
    ]
    assert len(shown) == 2, "the draft comes in two messages"
    assert all(visible_length(x) <= 4096 for x in shown)
    assert "00 Giảng dạy" in shown[0] and "15 Giảng dạy" in shown[1]
    assert thu.last_text().startswith("Trên đây là bản nháp")
    await to_preview(thu, "Công đoàn trường")
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert len(team.messages()) == 2 and posts(team)[0] == shown[0]


async def second_group(world, thu):

    other = world.group("Tổ Công đoàn Khoa CNTT", bot="left")
    await bind(world, thu, other)
    return other


async def test_a_target_unbound_before_the_preview_can_be_left_out_and_the_preview_goes_on(world):
    thu, team = await setup(world)
    other = await second_group(world, thu)
    await world.staff("Nguyễn Thị Hoa")
    await to_draft(thu)
    sec = await world.secretary("Phạm Thị Thư")
    await thu.click("Chọn nơi nhận")
    await thu.click("Công đoàn trường")
    await thu.click("Tổ Công đoàn Khoa CNTT")
    await sec.send("/channels")
    await sec.click("Hủy liên kết “Công đoàn trường”")
    await thu.click("Xem trước")
    assert thu.alerts()[-1] == (
        "Nhóm hoặc kênh “Công đoàn trường” không còn liên kết với bot. Vui lòng chọn lại nơi nhận."
    )
    assert not any("Công đoàn trường" in b for b in thu.buttons())  # the keyboard shows what is left
    await thu.click("Xem trước")
    assert "Thông báo sẽ được gửi đến: nhóm “Tổ Công đoàn Khoa CNTT”" in thu.last_text()
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert len(posts(other)) == 1 and posts(team) == []


async def test_a_target_unbound_before_sending_can_be_left_out_by_choosing_the_targets_again(world):
    thu, team = await setup(world)
    other = await second_group(world, thu)
    await world.staff("Nguyễn Thị Hoa")
    await to_draft(thu)
    sec = await world.secretary("Phạm Thị Thư")
    await to_preview(thu, "Công đoàn trường", "Tổ Công đoàn Khoa CNTT")
    await sec.send("/channels")
    await sec.click("Hủy liên kết “Công đoàn trường”")
    await thu.click("Gửi ngay")
    assert "không còn liên kết với bot" in thu.alerts()[-1]
    await thu.click("Quay lại bản nháp")
    await to_preview(thu)  # the targets again: the other group is still picked
    assert "Thông báo sẽ được gửi đến: nhóm “Tổ Công đoàn Khoa CNTT”" in thu.last_text()
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert len(posts(other)) == 1 and posts(team) == []


async def test_a_forged_press_for_a_retired_unit_picks_nothing(world):
    from sqlalchemy import update

    from storage.models import Unit

    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    old = await world.unit("KCU", "Khoa Cũ", kind="khoa")
    await world.staff("Trần Văn Cũ", unit="KCU")
    async with world.session() as s:  # the unit was merged away
        await s.execute(update(Unit).where(Unit.id == old.id).values(active=False))
        await s.commit()
    await to_draft(thu)
    await thu.click("Chọn nơi nhận")
    await thu.press(f"anu:{old.id}")
    assert thu.alerts()[-1] == "Nút này không còn hiệu lực."
    assert (await thu.data())["draft"]["unit"] is None


async def test_a_forged_pick_of_a_retired_unit_as_an_exemplar_is_refused(world):
    from sqlalchemy import update

    from storage.models import Unit

    thu, _team = await setup(world)
    old = await world.unit("KCU", "Khoa Cũ", kind="khoa")
    async with world.session() as s:
        await s.execute(update(Unit).where(Unit.id == old.id).values(active=False))
        await s.commit()
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    await thu.press(f"anp:u:{old.id}")
    assert thu.alerts()[-1] == "Nút này không còn hiệu lực."
    assert await thu.state() == "AnnounceSG:who"


@pytest.mark.parametrize(
    "title",
    ["Công đoàn <Khoa> & Tổ", "Nhóm Công đoàn " + "Khoa Kinh tế – Quản trị kinh doanh và Du lịch " * 3],
    ids=["markup", "long"],
)
async def test_the_alert_for_a_target_unbound_meanwhile_is_plain_and_fits(world, title):
    thu, _team = await setup(world)
    other = world.group(title[:128], bot="left")
    await bind(world, thu, other)
    await world.staff("Nguyễn Thị Hoa")
    await to_draft(thu)
    sec = await world.secretary("Phạm Thị Thư")
    await to_preview(thu, title[:20])
    await sec.send("/channels")
    await sec.click(f"Hủy liên kết “{title[:20]}")
    await thu.click("Gửi ngay")
    [alert] = thu.alerts()[-1:]
    assert alert.startswith("Nhóm hoặc kênh “") and alert.endswith("Vui lòng chọn lại nơi nhận.")
    assert "&lt;" not in alert and "&amp;" not in alert and len(alert) <= 200
    if "<" in title:
        assert "“Công đoàn <Khoa> & Tổ”" in alert


async def test_a_unit_is_offered_only_collective_titles_and_a_person_only_individual_ones(world):
    """Issue 18, D28: the titles follow the subject picked; a forged press of another subject's title is
    refused and the step stays."""
    from storage.models.plan import PlanCommendation

    thu, _team = await setup(world)
    await world.unit("KDL", "Khoa Du lịch", kind="khoa")
    await world.staff("Nguyễn Thị Hoa", unit="KDL")
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    await thu.send("du lich")
    await thu.click("Khoa Du lịch")
    for_unit = thu.buttons()
    assert "Tập thể lao động tiên tiến" in for_unit and "Giấy khen của Hiệu trưởng" in for_unit
    assert "Lao động tiên tiến" not in for_unit and "Chiến sĩ thi đua cơ sở" not in for_unit
    [individual] = await world.rows(PlanCommendation, PlanCommendation.name_vi == "Lao động tiên tiến")
    await thu.press(f"ant:{individual.id}")  # an individual title for a unit, forged
    assert thu.alerts()[-1] == "Nút này không còn hiệu lực."
    assert await thu.state() == "AnnounceSG:title"
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    await thu.send("nguyen thi hoa")
    await thu.click("Nguyễn Thị Hoa")
    for_person = thu.buttons()
    assert "Lao động tiên tiến" in for_person and "Giấy khen của Hiệu trưởng" in for_person
    assert not any(b.startswith("Tập thể") for b in for_person)


async def test_a_unit_when_the_plan_gives_units_nothing_is_told_so_and_the_step_stays(world):
    from sqlalchemy import update

    from storage.models.plan import PlanCommendation

    thu, _team = await setup(world)
    await world.unit("KDL", "Khoa Du lịch", kind="khoa")
    async with world.session() as s:  # a plan whose catalogue is for individuals only
        await s.execute(update(PlanCommendation).values(subject="individual", subjects=["individual"]))
        await s.commit()
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    await thu.send("du lich")
    await thu.click("Khoa Du lịch")
    assert thu.alerts()[-1] == (
        "Kế hoạch hiện hành chưa có danh hiệu hoặc hình thức khen thưởng nào dành cho tập thể."
    )
    assert await thu.state() == "AnnounceSG:who"
