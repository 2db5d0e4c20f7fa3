"""/difficulties: the secretary's list with filters and pages; everyone else's own items."""

from __future__ import annotations

from tests.handlers.test_difficulty_flow import TEXT, raise_difficulty


async def _answer_first(world, lan, answer="Đã trả lời: xem hướng dẫn số 12."):
    await world.drain_outbox()
    await lan.click("Trả lời")
    await lan.send(answer)


async def test_secretary_sees_open_and_answered_items_with_state_and_date(world):
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa, "Chưa rõ cách tính điểm thi đua cho giảng viên thỉnh giảng.")
    await _answer_first(world, lan)
    world.clock.advance(days=3)
    await raise_difficulty(hoa, "Thiếu biểu mẫu đăng ký danh hiệu tập thể.")
    await lan.send("/difficulties")
    text = lan.last_text()
    assert "Chưa rõ cách tính điểm" in text and "Thiếu biểu mẫu" in text
    assert "25/11/2026 · <i>Đã trả lời</i>" in text and "28/11/2026 · <i>Chưa trả lời</i>" in text
    assert "Phòng KCNTT — Nguyễn Thị Hoa" in text
    assert lan.buttons()[:4] == ["• Tất cả", "Chưa trả lời", "Đã trả lời", "Theo đơn vị"]


async def test_secretary_filters_answered_items(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa, "Khó khăn thứ nhất cần được giải đáp.")
    await _answer_first(world, lan)
    await raise_difficulty(hoa, "Khó khăn thứ hai vẫn đang chờ trả lời.")
    await lan.send("/difficulties")
    await lan.click("Đã trả lời", exact=True)
    assert "Khó khăn thứ nhất" in lan.last_text() and "Khó khăn thứ hai" not in lan.last_text()
    await lan.click("Chưa trả lời", exact=True)
    assert "Khó khăn thứ hai" in lan.last_text() and "Khó khăn thứ nhất" not in lan.last_text()


async def test_secretary_filters_by_unit(world):
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    nam = await world.staff("Lý Văn Nam", unit="KKT")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa, "Khó khăn của Khoa Công nghệ thông tin.")
    await raise_difficulty(nam, "Khó khăn của Khoa Kinh tế về hồ sơ.")
    await lan.send("/difficulties")
    await lan.click("Theo đơn vị")
    assert lan.buttons() == ["Phòng KCNTT", "Phòng KKT", "Mọi đơn vị"]
    await lan.click("Phòng KKT")
    text = lan.last_text()
    assert "Đơn vị: Phòng KKT" in text
    assert "Khoa Kinh tế" in text and "Khoa Công nghệ" not in text


async def test_secretary_list_is_paged(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    for i in range(7):
        world.clock.advance(hours=1)
        await raise_difficulty(hoa, f"Khó khăn số thứ tự {i} cần giải đáp.")
    await lan.send("/difficulties")
    assert "Trang 1/2 · 7 mục" in lan.last_text()
    assert "thứ tự 6" in lan.last_text() and "thứ tự 1 " not in lan.last_text()
    await lan.click("Sau ›")
    assert "Trang 2/2" in lan.last_text()
    assert "thứ tự 1 " in lan.last_text() and "thứ tự 0 " in lan.last_text()


async def test_staff_sees_only_their_own_items_with_the_answer(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    tuan = await world.staff("Đỗ Minh Tuấn")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa, "Câu hỏi của chị Hoa về hồ sơ.")
    await _answer_first(world, lan, "Hồ sơ nộp trước ngày 15/12.")
    await raise_difficulty(tuan, "Câu hỏi của anh Tuấn về biểu mẫu.")
    await hoa.send("/difficulties")
    text = hoa.last_text()
    assert "anh/chị đã gửi" in text
    assert "Câu hỏi của chị Hoa" in text and "Hồ sơ nộp trước ngày 15/12." in text
    assert "Đã trả lời" in text and "anh Tuấn" not in text
    assert hoa.buttons() == []


async def test_staff_without_items_is_told_how_to_raise_one(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulties")
    assert "chưa gửi khó khăn" in hoa.last_text()


async def test_staff_pressing_a_secretary_filter_gets_an_alert(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await raise_difficulty(hoa, TEXT)
    await hoa.send("/difficulties")
    before = hoa.last_text()
    await hoa.press("dfl:all:0:0")
    assert "Chỉ Thường trực Hội đồng" in hoa.alerts()[-1]
    assert hoa.last_text() == before


async def test_help_lists_the_difficulty_commands(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")
    assert "/difficulty — Báo cáo khó khăn, vướng mắc" in hoa.last_text()
    assert "/difficulties — Xem các khó khăn, vướng mắc" in hoa.last_text()
