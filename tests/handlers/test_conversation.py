"""A new command ends the conversation in progress (bot/conversation.py): one test per StatesGroup, then
/help, an unknown command, /start with a link, buttons that start another flow, and a failing command."""

from __future__ import annotations

import importlib
import inspect
from datetime import date

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.state import StatesGroup
from aiogram.types import Message
from sqlalchemy import update

from bot.commands import COMMANDS, CommandSpec
from bot.conversation import FLOWS
from bot.devtools.harness import World
from bot.i18n import t
from bot.roles import Role
from handlers import FEATURES
from handlers.keyboards import PersonEditCb
from storage.db import make_engine
from storage.models import AuditEntry, FsmRecord, Person, PersonRole
from storage.models.difficulty import Difficulty
from tests.conftest import make_settings
from tests.handlers.test_difficulty_flow import TEXT, only_item, raise_difficulty, raised_with_principal
from tests.handlers.test_join import make_invite
from tests.handlers.test_plan import at as plan_at
from tests.handlers.test_plan import start_extension, the_round

ENDED = "Đã hủy thao tác đang dở: {}."
STRAY = "Đây là một câu trả lời gõ sau khi đã đổi sang lệnh khác."


def ended(flow: str) -> str:
    return ENDED.format(flow)


def after(chatter, first: str) -> list[str]:
    """The texts the person received from the one that is (or starts with) `first` on."""
    texts = chatter.texts()
    for i in range(len(texts) - 1, -1, -1):
        if texts[i].startswith(first):
            return texts[i:]
    raise AssertionError(f"{first!r} not among {texts[-5:]}")


# -- every conversation has a name ---------------------------------------------------------------------
def test_every_states_group_in_the_handlers_is_a_named_conversation() -> None:
    groups = [
        obj
        for name in FEATURES
        for obj in vars(importlib.import_module(f"handlers.{name}")).values()
        if inspect.isclass(obj) and issubclass(obj, StatesGroup) and obj is not StatesGroup
    ]
    assert len(groups) >= 7
    for group in groups:
        flow = FLOWS.get(group.__full_group_name__)
        assert flow is not None, f"{group.__name__}: declare it with bot.conversation.conversation(...)"
        for lang in ("vi", "en"):
            assert t(flow.name_key, locale=lang) != flow.name_key


# -- one test per StatesGroup ----------------------------------------------------------------------------
async def test_a_command_while_raising_a_difficulty_ends_it_and_runs(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    assert await hoa.state() == "DifficultySG:file"

    await hoa.send("/difficulties")

    shown = after(hoa, "Đã hủy")
    assert shown[0] == ended("báo cáo khó khăn, vướng mắc")
    assert "chưa gửi khó khăn" in shown[1]
    assert await hoa.state() is None
    await hoa.send_document("bao-cao.pdf", "application/pdf", 1000)
    assert "Tôi chưa hiểu" in hoa.last_text()
    assert await world.rows(Difficulty) == []


async def test_a_command_after_pressing_answer_ends_it_and_the_next_text_reaches_nobody(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    seen = len(hoa.messages())
    await lan.click("Trả lời", exact=True)
    assert await lan.state() == "DifficultyAnswerSG:text"

    await lan.send("/difficulties")

    shown = after(lan, "Đã hủy")
    assert shown[0] == ended("trả lời khó khăn, vướng mắc")
    assert shown[1].startswith("<b>Khó khăn, vướng mắc</b> — tất cả")
    assert await lan.state() is None
    await lan.send(STRAY)
    assert "Tôi chưa hiểu" in lan.last_text()
    await world.drain_outbox()
    assert len(hoa.messages()) == seen
    item = await only_item(world)
    assert item.state == "open" and item.answer is None
    assert await world.rows(AuditEntry, AuditEntry.action == "difficulty.answered") == []


async def test_a_command_after_the_principal_pressed_reply_ends_it(world):
    _hoa, lan, hieu = await raised_with_principal(world)
    await lan.click("Chuyển Hiệu trưởng")
    await world.drain_outbox()
    await hieu.click("Phản hồi")
    assert await hieu.state() == "DifficultyReplySG:text"

    await hieu.send("/help")  # /help answers beside it
    assert await hieu.state() == "DifficultyReplySG:text"
    await hieu.send("/difficulties")

    assert after(hieu, "Đã hủy")[0] == ended("cho ý kiến về khó khăn, vướng mắc")
    assert await hieu.state() is None
    seen = len(lan.messages())
    await hieu.send(STRAY)
    await world.drain_outbox()
    assert (await only_item(world)).principal_reply is None
    assert len(lan.messages()) == seen


async def test_a_command_while_searching_people_ends_the_search(world):
    an = await world.admin("Nguyễn Văn An")
    await world.staff("Hoàng Văn Em")
    await an.send("/people")
    assert await an.state() == "PeopleSearchSG:query"

    await an.send("/units")

    shown = after(an, "Đã hủy")
    assert shown[0] == ended("tìm người trong danh sách")
    assert "TCHC" in shown[1]
    assert await an.state() is None
    await an.send("Hoàng Văn Em")
    assert "Tôi chưa hiểu" in an.last_text()


async def test_a_command_while_delegating_ends_it_and_the_date_typed_next_delegates_nothing(world):
    an = await world.admin("Nguyễn Văn An")
    em = await world.staff("Hoàng Văn Em")
    await an.press(PersonEditCb(op="deleg", id=em.person_id).pack())
    await an.send("01/12/2026")
    assert await an.state() == "DelegateSG:end"

    await an.send("/units")

    assert after(an, "Đã hủy")[0] == ended("ủy quyền trưởng đơn vị")
    assert await an.state() is None
    await an.send("15/12/2026")
    assert "Tôi chưa hiểu" in an.last_text()
    assert await world.rows(PersonRole, PersonRole.role == "deputy_head") == []


async def test_a_command_while_extending_the_voting_ends_it_and_the_date_typed_next_changes_nothing(world):
    thu = await start_extension(world, plan_at(2027, 6, 10, 9, 0))
    assert await thu.state() == "RoundsSG:until"

    await thu.send("/plan")

    assert after(thu, "Đã hủy")[0] == ended("gia hạn bỏ phiếu")
    assert len(after(thu, "Đã hủy")) > 1  # and the plan was shown
    assert await thu.state() is None
    await thu.send("25/06/2027")
    assert "Tôi chưa hiểu" in thu.last_text()
    assert (await the_round(world)).voting_extended_to is None


async def test_a_command_while_joining_ends_it_and_the_name_typed_next_is_not_taken(world):
    await world.person("Võ Thị Mai", linked=False)
    token = await make_invite(world)
    x = world.outsider()
    await x.send(f"/start {token}")
    assert await x.state() == "JoinSG:consent"

    await x.send("/start")

    shown = after(x, "Đã hủy")
    assert shown[0] == ended("tham gia bot")
    assert "trưởng đơn vị" in shown[1]  # the greeting of /start
    assert await x.state() is None
    await x.send("Nguyễn Văn Ba")
    assert await x.state() is None
    assert len(await world.rows(Person)) == 1
    assert await world.rows(FsmRecord) == []


# -- /help, an unknown command, a command that is not theirs, /start with a link --------------------------
async def test_help_answers_and_the_conversation_goes_on(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời", exact=True)

    await lan.send("/help")

    assert "/difficulties" in lan.last_text() and "Đã hủy" not in "".join(lan.texts())
    assert await lan.state() == "DifficultyAnswerSG:text"
    await lan.send("Mẫu báo cáo đã đăng trên trang nội bộ.")
    assert "Đã gửi câu trả lời" in lan.last_text()
    assert (await only_item(world)).state == "answered"


async def test_help_ends_with_the_conversation_and_the_question_still_open(world):
    await world.person("Nguyễn Thị Hoa", linked=False)
    async with world.session() as s:
        await s.execute(update(Person).values(birth_date=date(1985, 9, 5)))
        await s.commit()
    x = world.outsider()
    await x.send(f"/start {await make_invite(world, uses=5)}")
    await x.click("Đồng ý")
    await x.send("hoa")
    await x.click("Nguyễn Thị Hoa")

    await x.send("/help")

    assert x.last_text().endswith("Anh/Chị vẫn đang: tham gia bot — nhập ngày sinh. Gõ /cancel để hủy.")
    assert await x.state() == "JoinSG:birth"
    await x.send("05/09/1985")
    assert "khớp với hồ sơ" in x.last_text()


async def test_help_names_the_conversation_alone_when_its_step_has_no_name(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send("/help")
    assert hoa.last_text().endswith("Anh/Chị vẫn đang: báo cáo khó khăn, vướng mắc. Gõ /cancel để hủy.")
    assert "/difficulty" in hoa.last_text() and await hoa.state() == "DifficultySG:text"
    await hoa.send("/cancel")
    await hoa.send("/help")
    assert "vẫn đang" not in hoa.last_text()


async def test_an_unknown_command_is_answered_and_ends_nothing(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")

    await hoa.send("/xyz")

    assert hoa.last_text().startswith("Lệnh /xyz không có hoặc không thuộc quyền hạn của anh/chị.")
    assert "báo cáo khó khăn, vướng mắc" in hoa.last_text()
    assert await hoa.state() == "DifficultySG:text"
    await hoa.send(TEXT)
    assert await hoa.state() == "DifficultySG:file"  # the text was taken as the difficulty


async def test_a_command_the_person_may_not_use_ends_nothing(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")

    await hoa.send("/people")

    assert "không thuộc quyền" in hoa.last_text()
    assert await hoa.state() == "DifficultySG:text"


async def test_start_with_another_link_ends_the_join_in_progress_and_opens_the_new_one(world):
    await world.unit("KKT", "Khoa Kinh tế")
    first = await make_invite(world)
    second = await make_invite(world, unit="KKT")
    x = world.outsider()
    await x.send(f"/start {first}")
    await x.click("Đồng ý")

    await x.send(f"/start {second}")

    shown = after(x, "Đã hủy")
    assert shown[0] == ended("tham gia bot")
    assert "Khoa Kinh tế" in shown[1]
    assert await x.state() == "JoinSG:consent"
    assert (await x.data())["unit_name"] == "Khoa Kinh tế"


# -- buttons ---------------------------------------------------------------------------------------------
async def test_a_button_that_starts_another_flow_ends_the_one_in_progress(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.send("/difficulty")  # the secretary starts raising one of her own
    await lan.send("Một khó khăn của chính Thường trực về biểu mẫu.")
    assert await lan.state() == "DifficultySG:file"

    await lan.click("Trả lời", exact=True)  # on the notification of Hoa's

    shown = after(lan, "Đã hủy")
    assert shown[0] == ended("báo cáo khó khăn, vướng mắc")
    assert "Vui lòng nhập câu trả lời" in shown[1]
    assert await lan.state() == "DifficultyAnswerSG:text"
    await lan.send("Mẫu đã đăng trên trang nội bộ.")
    assert (await only_item(world)).state == "answered"


async def test_a_button_of_no_flow_keeps_the_conversation(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.send("/difficulties")
    await lan.click("Trả lời", exact=True)  # on the notification: the list's message has no such button

    await lan.click("Chưa trả lời", exact=True)  # a filter of the list: it starts nothing

    assert "Đã hủy" not in "".join(lan.texts())
    assert await lan.state() == "DifficultyAnswerSG:text"


async def test_a_refused_press_of_another_flows_button_still_ends_the_conversation_and_says_why(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await binh.click("Trả lời")
    await binh.send("Bình đã trả lời trước.")
    await lan.send("/difficulty")

    await lan.click("Trả lời", exact=True)  # answered meanwhile

    assert after(lan, "Đã hủy")[0] == ended("báo cáo khó khăn, vướng mắc")
    assert "đã được trả lời" in lan.alerts()[-1]
    assert await lan.state() is None


# -- the state is cleared in the unit of work -------------------------------------------------------------
async def test_a_command_that_fails_leaves_the_conversation_as_it_was(world_url, clock, monkeypatch):
    async def boom(message: Message) -> None:
        raise RuntimeError("boom")

    r = Router(name="boom")
    r.message.register(boom, Command("boom"))
    monkeypatch.setitem(COMMANDS, "boom", CommandSpec("boom", None, "cmd-help"))
    engine = make_engine(world_url)
    w = World(make_settings(world_url), engine, clock, extra_routers=(r,))
    await w.start()
    try:
        hoa = await w.person("Nguyễn Thị Hoa", Role.STAFF)
        await hoa.send("/difficulty")
        await hoa.send(TEXT)

        await hoa.send("/boom")

        assert await hoa.state() == "DifficultySG:file"
        [row] = await w.rows(FsmRecord)
        assert row.state == "DifficultySG:file"
        await hoa.click("Bỏ qua")
        assert "Gửi" in hoa.buttons()  # the draft goes on
    finally:
        await w.close()
        await engine.dispose()
