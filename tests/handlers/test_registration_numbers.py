"""One number per registration everywhere (issue 18, D22); the review before sending is a draft, and a
returned registration's reason stays in sight while it is edited (D23)."""

from __future__ import annotations

from storage.models.registration import Registration
from tests.handlers.test_registration_flow import COMMITMENTS, only, open_year, register


async def test_the_lists_number_opens_the_registration_of_that_number(world):
    await open_year(world)
    hoa, an = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn An")
    minh = await world.unit_head("Trần Văn Minh")
    lan = await world.secretary("Lê Thị Lan", unit="KCNTT")
    await register(hoa)
    await register(an)
    rows = {r.person_id: r.id for r in await world.rows(Registration)}
    n = rows[an.person_id]
    await world.drain_outbox()
    assert f"đăng ký thi đua số {n}," in minh.last_text()  # the request names its number

    await minh.send("/pending")
    assert f"Số {n}: Phạm Văn An" in minh.last_text()
    await minh.click(f"Số {n}: Phạm Văn An")
    assert f"đăng ký thi đua số {n}," in minh.last_text()

    await lan.send("/registrations")
    assert f"Số {n}: Phạm Văn An" in lan.last_text() and f"Số {n}: Phạm Văn An" in lan.buttons()
    await lan.click(f"Số {n}: Phạm Văn An")
    assert f"đăng ký thi đua số {n}," in lan.last_text()
    await an.send("/register")
    assert f"Đăng ký thi đua số {n}," in an.last_text()


async def test_the_review_before_sending_says_it_is_a_draft_not_sent(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.unit_head("Trần Văn Minh")
    await hoa.send("/register")
    await hoa.click("Lao động tiên tiến")
    await hoa.click("Đổi mới, sáng tạo")
    await hoa.click("Xong")
    await hoa.send(COMMITMENTS)
    review = hoa.last_text()
    assert "Trạng thái: bản nháp, chưa gửi" in review
    assert "chờ xác nhận" not in review
    assert await world.rows(Registration) == []


async def test_a_returned_registrations_reason_stays_in_sight_while_it_is_edited(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await world.drain_outbox()
    await minh.click("Trả lại")
    await minh.send("Thiếu nội dung cam kết về nghiên cứu khoa học")
    await world.drain_outbox()
    await hoa.click("Sửa đăng ký")
    assert "Lý do trả lại: “Thiếu nội dung cam kết về nghiên cứu khoa học”" in hoa.last_text()
    assert "Trạng thái: bản nháp, chưa gửi" in hoa.last_text()
    await hoa.click("Sửa cam kết")
    assert "Thiếu nội dung cam kết về nghiên cứu khoa học" in hoa.last_text()
    await hoa.send(COMMITMENTS + " Viết một bài báo khoa học.")
    assert "Lý do trả lại: “Thiếu nội dung cam kết về nghiên cứu khoa học”" in hoa.last_text()
    await hoa.click("Gửi đăng ký")
    row = await only(world)
    assert (row.state, row.return_reason) == ("submitted", None)
    assert "Lý do trả lại" not in hoa.last_text()
