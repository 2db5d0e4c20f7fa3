"""The offline console, driven through its input and output functions."""

from __future__ import annotations

import re

from bot.clock import Clock, fmt_date
from bot.devtools.console import plain, run_console
from bot.devtools.demo import PEOPLE
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry, Person, PersonRole
from tests.conftest import make_settings


async def drive(url: str, lines: list[str], demo: bool = True) -> list[str]:
    out: list[str] = []
    feed = iter(lines)
    await run_console(make_settings(url), demo=demo, input_fn=lambda _prompt: next(feed), print_fn=out.append)
    return out


async def rows(url: str, model) -> list:
    from sqlalchemy import select

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            return list((await s.scalars(select(model))).all())
    finally:
        await engine.dispose()


async def test_who_as_help_and_a_numbered_button(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [":who", ":as 2", "/help", "/lang", "2", ":quit"])
    text = "\n".join(out)
    assert "Nguyễn Văn An — TCHC — CBVC-NLĐ, Quản trị hệ thống — đã tham gia" in text
    assert (
        "  2. Trần Thị Lan — TCHC — CBVC-NLĐ, "
        "Thường trực Hội đồng Thi đua – Khen thưởng — đã tham gia" in text
    )
    assert "Anh/Chị đang đóng vai Trần Thị Lan." in out
    [help_text] = [
        line for line in out if line.startswith("Anh/Chị có thể dùng các lệnh sau:")
    ]  # <b> stripped
    assert "\n/people — " in help_text and "\n/units — " in help_text
    assert "[1] Tiếng Việt  [2] English" in out
    assert "(đã sửa) Switched to English." in out
    assert "☰ Menu: " in text and out[-1] == "Tạm biệt."
    lan = next(p for p in await rows(url, Person) if p.full_name == "Trần Thị Lan")
    assert lan.language == "en"


async def test_the_demo_has_every_role_and_loads_once(sqlite_templates):
    url = sqlite_templates.fresh()
    await drive(url, [":quit"])
    out = await drive(url, [":quit"])
    assert "Đã nạp dữ liệu mẫu: thêm 0 đơn vị và 0 người." in out
    people = await rows(url, Person)
    assert len(people) == len(PEOPLE)
    assert {r.role for r in await rows(url, PersonRole)} == {
        "staff",
        "unit_head",
        "deputy_head",
        "secretary",
        "council",
        "union",
        "finance",
        "principal",
        "admin",
    }
    assert sum(1 for p in people if p.telegram_id) == sum(1 for p in PEOPLE if p.joined)
    assert len([e for e in await rows(url, AuditEntry) if e.action == "demo.load"]) == 1


async def test_a_message_to_someone_else_shows_as_an_outbox_line(sqlite_templates):
    url = sqlite_templates.fresh()
    today = fmt_date(Clock().today())
    # As the admin: find Hoa, open her card, delegate the head role for today only.
    out = await drive(url, [":as 1", "/people thi hoa", "1", "3", today, today, ":quit"])
    assert (
        "→ [gửi tới Nguyễn Thị Hoa] Anh/Chị được ủy quyền trưởng đơn vị Khoa Công nghệ thông tin "
        f"từ ngày {today}" in "\n".join(out)
    )


async def test_bad_numbers_and_unknown_commands_are_explained(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [":as 99", "7", ":frobnicate", "/lang", "9", ":quit"])
    assert "Không có người số 99. Gõ :who để xem danh sách." in out
    assert "Không có nút nào để bấm." in out
    assert "Lệnh không rõ: :frobnicate. Gõ :help để xem các lệnh." in out
    assert "Không có nút số 9; tin nhắn cuối có 2 nút." in out


async def test_without_people_the_operator_is_a_newcomer_who_gets_the_invite_hint(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, ["/lang"], demo=False)
    assert out[1].startswith("Chưa có ai trong danh sách.")
    assert "Anh/Chị chưa tham gia bot. Vui lòng đề nghị trưởng đơn vị gửi liên kết mời." in out
    assert await rows(url, Person) == []


def test_plain_strips_tags_and_decodes_entities():
    assert plain("<b>Hoa</b> &lt;3 &amp; <i>x</i>") == "Hoa <3 & x"


async def test_a_second_session_on_the_same_database_is_answered_too(sqlite_templates):
    url = sqlite_templates.fresh()
    for _ in range(2):  # the first session's update ids are stored; the second's must not collide
        out = await drive(url, ["/lang", "2", ":quit"])
        assert "(đã sửa) Switched to English." in out


DIFFICULTY = [":as 6", "/difficulty", "Phòng máy tầng 3 hỏng điều hòa đã hai tuần, ảnh hưởng giờ thực hành."]


async def test_a_message_to_someone_else_shows_its_buttons(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [*DIFFICULTY, "1", "1", "1", ":quit"])
    [card] = [line for line in out if line.startswith("→ [gửi tới Trần Thị Lan]")]
    assert "Phòng máy tầng 3" in card
    assert "[Trả lời]" in card


async def test_as_shows_what_the_person_received_while_away(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [*DIFFICULTY, "1", "1", "1", ":as 2", ":as 6", ":as 2", ":quit"])
    first = out.index("Anh/Chị đang đóng vai Trần Thị Lan.")
    assert out[first + 1] == "Tin nhắn anh/chị nhận được trong lúc đóng vai người khác (1):"
    assert "Phòng máy tầng 3" in out[first + 2]
    assert out[first + 3].startswith("[1] Trả lời")
    second = out.index("Anh/Chị đang đóng vai Trần Thị Lan.", first + 1)
    assert not out[second + 1].startswith("Tin nhắn anh/chị nhận được")  # already shown once


async def test_an_edit_of_the_keyboard_only_shows_the_message_text(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [*DIFFICULTY, "1", ":quit"])  # "Bỏ qua": the file prompt loses its button
    assert any(line.startswith("(đã sửa) Nếu có tài liệu kèm theo") for line in out)
    assert "(đã sửa) " not in out and "(đã sửa)" not in out


async def test_the_demo_shows_status_and_pending_with_content(sqlite_templates):
    """Registrations in every state and some acknowledgements (issue 11): heads, the secretary, staff."""
    from storage.models.registration import PlanAcknowledgement, Registration

    url = sqlite_templates.fresh()
    out = await drive(url, [":as 4", "/status", "/pending", ":as 2", "/status", ":as 6", "/status", ":quit"])
    text = "\n".join(out)
    states = {r.state for r in await rows(url, Registration)}
    assert states == {"submitted", "returned", "endorsed", "withdrawn"}
    assert len(await rows(url, PlanAcknowledgement)) == 5
    assert "Đã quán triệt kế hoạch:" in text and "Khoa Công nghệ thông tin" in text
    assert "Ngô Thị Mai (chưa tham gia bot)" in text  # the head's missing people
    assert "Nguyễn Thị Hoa" in text and "Toàn trường" in text
    assert "Các năm học trước" in text  # Hoa's history
    assert re.search(r"Số \d+: Nguyễn Thị Hoa — Lao động tiên tiến", text)  # the head's /pending
    assert "đơn vị chưa có ai trong danh sách nên không liệt kê" in text and "0/0" not in text
    again = await drive(url, [":quit"])  # loading the demo again adds nothing
    assert again and len(await rows(url, Registration)) == 8
