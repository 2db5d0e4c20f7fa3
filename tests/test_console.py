"""The offline console, driven through its input and output functions."""

from __future__ import annotations

import re
from datetime import datetime

from click.testing import CliRunner

from bot.clock import VN_TZ, Clock, FakeClock, fmt_date
from bot.devtools.console import plain, run_console
from bot.devtools.demo import PEOPLE
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry, Person, PersonRole
from tests.conftest import make_settings


async def drive(url: str, lines: list[str], demo: bool = True, clock: Clock | None = None) -> list[str]:
    """The console over `url`, on a fake clock at 08:00 on 05/09/2026 unless given one (the real clock's
    evening falls in the quiet hours, when messages to others wait for the morning)."""
    out: list[str] = []
    feed = iter(lines)
    await run_console(
        make_settings(url),
        demo=demo,
        input_fn=lambda _prompt: next(feed),
        print_fn=out.append,
        clock=clock or fake_clock(),
    )
    return out


def fake_clock() -> FakeClock:
    return FakeClock(datetime(2026, 9, 5, 8, 0, tzinfo=VN_TZ))


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
    assert "[1] Tiếng Việt  [2] English  (tin nhắn 2)" in out
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
    clock = fake_clock()  # at 08:00: in the quiet hours (21:00-07:00) the notice would wait for the morning
    today = fmt_date(clock.today())
    # As the admin: find Hoa, open her card, delegate the head role for today only.
    out = await drive(url, [":as 1", "/people thi hoa", "1", "3", today, today, ":quit"], clock=clock)
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
    assert out[2].startswith("Chưa có ai trong danh sách.")  # after the intro and the fake clock
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


# -- the fake clock (issue 18, F36) -------------------------------------------------------------------------
async def test_tick_moves_the_fake_clock_runs_the_due_work_and_says_the_time(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [":tick 1d", ":tick 3h", ":tick 30m", ":tick 37d", ":quit"], clock=fake_clock())
    assert out[1].startswith("Đồng hồ giả, bắt đầu lúc 08:00 ngày 05/09/2026, trên một cơ sở dữ liệu tạm")
    now = [line for line in out if line.startswith("Bây giờ: ")]
    assert now == [
        "Bây giờ: 08:00 ngày 06/09/2026",
        "Bây giờ: 11:00 ngày 06/09/2026",
        "Bây giờ: 11:30 ngày 06/09/2026",
        "Bây giờ: 11:30 ngày 13/10/2026",
    ]
    # 13/10 is three days before the plan must be acknowledged (16/10): the reminder went out on its day,
    # at REMINDER_DAY_AT, to those who have not acknowledged, as the sender delivered it
    last = out.index("Bây giờ: 11:30 ngày 13/10/2026")
    reminders = [line for line in out[:last] if "Anh/Chị chưa xác nhận đã đọc và quán triệt kế hoạch" in line]
    assert reminders and all(line.startswith("→ [gửi tới ") for line in reminders)
    assert "→ [gửi tới Bùi Thị Hương]" in " ".join(reminders)
    assert not any("quán triệt" in line for line in out[: out.index("Bây giờ: 11:30 ngày 06/09/2026")])


async def test_tick_on_the_real_clock_or_with_a_bad_interval_moves_nothing(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [":tick 1d", ":quit"], clock=Clock())
    assert "Không dời được đồng hồ “1d”: chỉ dùng dạng 1d, 3h, 30m với đồng hồ giả." in out
    assert any("thidua console --demo --clock 2026-09-05T08:00" in line for line in out)
    assert not any(line.startswith("Bây giờ:") for line in out)
    clock = fake_clock()
    out = await drive(sqlite_templates.fresh(), [":tick 2w", ":tick -1d", ":tick 0d", ":quit"], clock=clock)
    for bad in ("2w", "-1d", "0d"):
        assert f"Không dời được đồng hồ “{bad}”: chỉ dùng dạng 1d, 3h, 30m với đồng hồ giả." in out
    assert clock.local_now() == datetime(2026, 9, 5, 8, 0, tzinfo=VN_TZ)


def test_the_clock_option_needs_demo_and_a_readable_time(monkeypatch, tmp_path):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'real.db'}")
    result = CliRunner().invoke(main, ["console", "--clock", "2026-09-05T08:00"])
    assert result.exit_code == 1 and "thêm --demo" in result.output
    result = CliRunner().invoke(main, ["console", "--demo", "--clock", "mai"])
    assert result.exit_code == 1 and "Không đọc được thời điểm “mai”" in result.output
    assert not (tmp_path / "real.db").exists()


def test_the_clock_option_runs_on_a_throwaway_database(monkeypatch, tmp_path):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'real.db'}")
    monkeypatch.setenv("BOT_TOKEN", "")
    result = CliRunner().invoke(
        main, ["console", "--demo", "--clock", "05/09/2026 08:00"], input=":tick 1d\n:quit\n"
    )
    assert result.exit_code == 0, result.output
    assert "Bây giờ: 08:00 ngày 06/09/2026" in result.output
    assert not (tmp_path / "real.db").exists()  # the configured database was never touched


def test_read_clock_reads_iso_and_typed_times():
    from bot.devtools.console import read_clock

    want = datetime(2026, 9, 5, 8, 0, tzinfo=VN_TZ)
    assert read_clock("2026-09-05T08:00", VN_TZ) == want
    assert read_clock("08:00 05/09/2026", VN_TZ) == want
    assert read_clock("2026-09-05", VN_TZ) == datetime(2026, 9, 5, tzinfo=VN_TZ)
    assert read_clock("mai", VN_TZ) is None


# -- photos, albums, documents, groups, earlier buttons, a digit as text (issue 18, F37) --------------------
async def test_a_document_and_a_photo_answer_the_file_prompt(sqlite_templates):
    from storage.models.difficulty import Difficulty

    url = sqlite_templates.fresh()
    out = await drive(url, [*DIFFICULTY, ":doc bien-ban.pdf", ":quit"])
    assert any(line.startswith("Khó khăn, vướng mắc này liên quan đến phong trào") for line in out)
    out = await drive(url, [*DIFFICULTY, ":photo Phòng máy", ":quit"])
    assert any(line.startswith("Khó khăn, vướng mắc này liên quan đến phong trào") for line in out)
    assert await rows(url, Difficulty) == []  # not sent yet: the flow waits for the movement


async def test_an_album_a_digit_as_text_and_their_bad_inputs(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(
        url, [":as 6", ":album 1", ":album x", ":album 11", ":say", ":say 3", ":album 2", ":quit"]
    )
    for bad in ("1", "x", "11"):
        assert f"Không gửi được album “{bad}”: một album có từ 2 đến 10 ảnh, ví dụ: :album 3" in out
    assert "Gõ :say rồi nội dung cần gửi, ví dụ: :say 3" in out
    assert "Tôi chưa hiểu yêu cầu này. Anh/Chị gõ /help để xem những việc có thể làm." in out
    assert "Không có nút nào để bấm." not in out  # "3" was a message, not a press


async def test_group_adds_the_bot_as_the_current_person(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [":group", ":group Khoa CNTT", ":press 1.2", ":quit"])  # as the admin
    assert "Gõ :group rồi tên nhóm, ví dụ: :group Khoa Công nghệ thông tin" in out
    assert "Anh/Chị thêm bot vào nhóm “Khoa CNTT”." in out
    at = out.index("Bot đã được thêm vào nhóm “Khoa CNTT”. Anh/Chị muốn dùng nhóm này để làm gì?")
    assert out[at + 1].startswith("[1] Thông báo chung của trường") and out[at + 1].endswith("(tin nhắn 1)")
    assert "(đã sửa) Vui lòng chọn đơn vị của nhóm “Khoa CNTT”:" in out[at + 2 :]  # its button 2 pressed


async def test_press_a_button_of_an_earlier_message(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [":as 2", "/lang", "/help", ":press 1.2", ":press 9.1", ":press 2.1", ":quit"])
    assert "[1] Tiếng Việt  [2] English  (tin nhắn 1)" in out
    assert "(đã sửa) Switched to English." in out  # message 1, though /help came after it
    assert "Không có tin nhắn số 9; anh/chị đã nhận 2 tin nhắn." in out
    assert "Tin nhắn số 2 không có nút nào." in out
    lan = next(p for p in await rows(url, Person) if p.full_name == "Trần Thị Lan")
    assert lan.language == "en"


JOIN = [":as 4", "/invite", ":as 10", ":open", "1", "Ngô Thị Mai", "1", "1", "1", ":as 4", "1"]


async def test_a_newcomer_joins_by_open_and_the_heads_edited_card_shows_no_tags(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, [":open", ":open https://example.com/x", *JOIN, ":quit"])
    assert "Chưa có liên kết mời nào để mở. Gõ :open LIÊN_KẾT, hoặc nhờ người mời gửi /invite trước." in out
    assert any(line.startswith("Không mở được “https://example.com/x”") for line in out)
    [edited] = [line for line in out if line.startswith("(đã sửa) Tài khoản Telegram")]
    assert "Ngô Thị Mai" in edited and "Đã xác nhận: Ngô Thị Mai đã tham gia bot." in edited
    assert "<b>" not in edited and "&lt;" not in edited
    mai = next(p for p in await rows(url, Person) if p.full_name == "Ngô Thị Mai")
    assert mai.telegram_id is not None


def test_a_pressed_message_comes_back_as_text_and_entities():
    from bot.devtools.entities import as_received

    text, entities = as_received(
        'Tài khoản <b>Mai</b> &lt;3 <a href="https://x.vn/?a=1&amp;b=2">mở</a> 😀<i>x</i>'
    )
    assert text == "Tài khoản Mai <3 mở 😀x"
    assert entities == [
        {"type": "bold", "offset": 10, "length": 3},
        {"type": "text_link", "offset": 17, "length": 2, "url": "https://x.vn/?a=1&b=2"},
        {"type": "italic", "offset": 22, "length": 1},  # the emoji counts 2 UTF-16 code units
    ]


def readme_trial() -> tuple[str, list[str]]:
    """The README's school year in the console: its command line and the lines typed."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("### A school year in the console", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    command, *lines = block.strip().splitlines()
    return command, lines


async def test_the_readme_school_year_runs_as_written(sqlite_templates):
    """Every line of the README's trial, typed into the console started as the README says (issue 18, F36)."""
    from bot.devtools.console import read_clock
    from storage.models.registration import Registration

    command, lines = readme_trial()
    assert command.startswith("thidua console --demo --clock ")
    start = read_clock(command.rsplit(" ", 1)[1], VN_TZ)
    assert start == datetime(2026, 9, 5, 8, 0, tzinfo=VN_TZ) and len(lines) <= 10
    url = sqlite_templates.fresh()
    out = await drive(url, [*lines, ":quit"], clock=FakeClock(start))
    text = "\n".join(out)
    assert "Đã xác nhận: Ngô Thị Mai đã tham gia bot." in text  # joined
    assert "Bây giờ: 08:00 ngày 07/09/2026" in out
    assert "đã được Phạm Thị Dung xác nhận" in text  # registered and endorsed
    assert "(đã sửa) Đã gửi đề nghị khen thưởng." in text  # nominated
    assert "Bây giờ: 08:00 ngày 07/06/2027" in out
    assert "Phiếu của anh/chị: Đồng ý" in text  # voted
    assert out[-2] == "Bây giờ: 08:00 ngày 19/06/2027"
    assert "1. Ngô Thị Mai (Khoa Công nghệ thông tin) — Đạt · Đồng ý 1/2" in text  # tallied
    assert "Lệnh không rõ" not in text and "Không có nút" not in text and "Không có tin nhắn số" not in text
    mai = next(p for p in await rows(url, Person) if p.full_name == "Ngô Thị Mai")
    assert any(r.person_id == mai.id and r.state == "endorsed" for r in await rows(url, Registration))


async def test_several_inputs_on_a_line_and_comments(sqlite_templates):
    url = sqlite_templates.fresh()
    out = await drive(url, ["# a comment alone", ":as 2 ; /lang ; 2  # Lan switches to English", ":quit"])
    assert "Anh/Chị đang đóng vai Trần Thị Lan." in out
    assert "(đã sửa) Switched to English." in out
    assert not any("Lệnh không rõ" in line or "comment" in line for line in out)
