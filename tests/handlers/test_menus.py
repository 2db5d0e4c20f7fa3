"""Per-person menus: setMyCommands for the chat, with only allowed commands, in the person's language."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.commands import COMMANDS, CommandSpec
from bot.menus import refresh_changed_menus, set_default_menu, set_menu
from bot.roles import Action, Grant, Member, Role
from storage.models import Person

STAFF_MENU = [
    "start", "help", "plan", "status", "register", "difficulty", "difficulties", "gooddeed", "gooddeeds",
    "object", "history", "settings", "lang", "cancel", "mydata", "forget",
]  # fmt: skip
SECRETARY_MENU = [
    "start", "help", "plan", "rounds", "status", "register", "pending", "registrations", "regwindow",
    "difficulty", "invite", "difficulties", "gooddeed", "gooddeeds", "nominate", "nominations", "nomwindow",
    "channels", "announce", "reminders", "council", "results", "criteria", "people", "units", "object",
    "objections", "decide", "summary", "history", "decisions", "export", "budget", "papers", "fund", "stats",
    "blank", "settings", "lang", "cancel", "mydata", "forget",
]  # fmt: skip


def staff_member(telegram_id: int = 555, language: str = "vi") -> Member:
    return Member(1, telegram_id, "Nguyễn Thị Hoa", 1, language, frozenset({Grant(Role.STAFF, 1)}))


async def test_set_menu_sends_only_the_persons_commands_for_their_chat(world):
    member = staff_member()
    await set_menu(world.bot, member)
    [call] = world.api.calls_of("setMyCommands")
    assert call.params["scope"] == {"type": "chat", "chat_id": 555}
    assert [c["command"] for c in call.params["commands"]] == STAFF_MENU
    assert {"command": "help", "description": "Những việc anh/chị có thể làm"} in call.params["commands"]


async def test_set_menu_for_an_admin_includes_the_people_commands(world):
    admin = Member(2, 556, "Nguyễn Văn An", 1, "vi", frozenset({Grant(Role.STAFF, 1), Grant(Role.ADMIN)}))
    await set_menu(world.bot, admin)
    names = [c["command"] for c in world.api.calls_of("setMyCommands")[0].params["commands"]]
    assert "people" in names and "units" in names


async def test_set_menu_is_in_the_persons_language(world):
    await set_menu(world.bot, staff_member(language="en"))
    commands = world.api.calls_of("setMyCommands")[0].params["commands"]
    assert {"command": "help", "description": "What you can do"} in commands


async def test_the_default_menu_shows_start_and_help_in_vi_and_en(world):
    await set_default_menu(world.bot)
    calls = world.api.calls_of("setMyCommands")
    assert [c.params["scope"] for c in calls] == [{"type": "default"}, {"type": "default"}]
    assert [c.params.get("language_code") for c in calls] == [None, "en"]
    for call in calls:
        assert [c["command"] for c in call.params["commands"]] == ["start", "help"]
    assert calls[1].params["commands"][1]["description"] == "What you can do"


async def test_switching_language_sets_the_menu_in_the_new_language(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    await hoa.click("English")
    [call] = world.api.calls_of("setMyCommands")
    assert call.params["scope"] == {"type": "chat", "chat_id": hoa.id}
    assert {"command": "help", "description": "What you can do"} in call.params["commands"]


async def test_a_failing_menu_call_does_not_break_the_change(world):
    world.api.fail("setMyCommands", 400, "Bad Request: chat not found")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    await hoa.click("English")
    assert hoa.last_text() == "Switched to English."


# -- start-up: menus that a release changed -----------------------------------------------------------------
def chat_menus(world) -> dict[int, list[str]]:
    """The last menu set for each chat (setMyCommands with a chat scope), as command names."""
    out: dict[int, list[str]] = {}
    for call in world.api.calls_of("setMyCommands"):
        if call.params["scope"].get("type") == "chat":
            out[call.params["scope"]["chat_id"]] = [c["command"] for c in call.params["commands"]]
    return out


def chat_menu_calls(world) -> int:
    return sum(c.params["scope"].get("type") == "chat" for c in world.api.calls_of("setMyCommands"))


async def start_up(world) -> int:
    """What `thidua run` does when polling starts (dp.startup), and wait for the menu refresh."""
    dp = world.dp
    await dp.emit_startup(bot=world.bot, dispatcher=dp, bots=[world.bot], **dp.workflow_data)
    return await world.dp["menu_refresh"]


async def test_at_start_up_a_command_added_in_a_release_reaches_the_menus_people_have(world, monkeypatch):
    hoa, lan = await world.staff("Nguyễn Thị Hoa"), await world.secretary("Lê Thị Lan")
    await world.person("Võ Thị Mai", linked=False)  # not joined: no chat, no menu
    assert await start_up(world) == 2  # the first start with fingerprints: everyone's menu once
    assert chat_menus(world) == {hoa.id: STAFF_MENU, lan.id: SECRETARY_MENU}

    # the next release adds /answers for the secretary; staff menus stay as they are
    monkeypatch.setitem(COMMANDS, "answers", CommandSpec("answers", Action.DIFFICULTY_ANSWER, "cmd-help", 85))
    before = chat_menu_calls(world)
    assert await start_up(world) == 1

    assert chat_menu_calls(world) == before + 1
    tail = ["answers", "settings", "lang", "cancel", "mydata", "forget"]
    assert chat_menus(world)[lan.id] == [*SECRETARY_MENU[:-5], *tail]
    assert chat_menus(world)[hoa.id] == STAFF_MENU


async def test_at_start_up_unchanged_menus_are_not_sent_again(world):
    await world.staff("Nguyễn Thị Hoa")
    await world.secretary("Lê Thị Lan")
    await start_up(world)
    before = chat_menu_calls(world)

    assert await start_up(world) == 0
    assert chat_menu_calls(world) == before


async def test_at_start_up_a_language_changed_while_the_bot_was_away_is_refreshed(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await start_up(world)
    async with world.session() as s:  # e.g. `thidua` on the database, no menu call
        (await s.get(Person, hoa.person_id)).language = "en"
        await s.commit()

    assert await start_up(world) == 1
    [*_, call] = world.api.calls_of("setMyCommands")
    assert {"command": "help", "description": "What you can do"} in call.params["commands"]


async def test_the_start_up_refresh_is_paced_by_the_senders_rate_and_a_failed_menu_is_tried_again(world):
    people = [await world.staff(f"Người Thứ {i}") for i in range(5)]
    world.clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=VN_TZ))
    world.api.fail("setMyCommands", 400, "Bad Request: chat not found")  # the first call fails
    started = world.clock.now()

    assert await refresh_changed_menus(world.bot, world.sessionmaker, world.clock, per_second=2) == 4

    assert (world.clock.now() - started).total_seconds() == 2.0  # 5 calls at 2 a second: 4 waits of 0.5 s
    assert await refresh_changed_menus(world.bot, world.sessionmaker, world.clock, per_second=2) == 1
    assert set(chat_menus(world)) == {p.id for p in people}
