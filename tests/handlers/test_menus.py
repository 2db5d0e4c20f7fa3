"""Per-person menus: setMyCommands for the chat, with only allowed commands, in the person's language."""

from __future__ import annotations

from bot.commands import commands_for
from bot.menus import set_default_menu, set_menu
from bot.roles import Grant, Member, Role


def staff_member(telegram_id: int = 555, language: str = "vi") -> Member:
    return Member(1, telegram_id, "Nguyễn Thị Hoa", 1, language, frozenset({Grant(Role.STAFF, 1)}))


async def test_set_menu_sends_only_the_persons_commands_for_their_chat(world):
    member = staff_member()
    await set_menu(world.bot, member)
    [call] = world.api.calls_of("setMyCommands")
    assert call.params["scope"] == {"type": "chat", "chat_id": 555}
    names = [c["command"] for c in call.params["commands"]]
    assert names == [c.name for c in commands_for(member)]
    assert "people" not in names and "units" not in names and "lang" in names
    assert {"command": "help", "description": "Những việc bạn có thể làm"} in call.params["commands"]


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
