"""The core path of an update: dedup, isolation, the unit of work, identity, i18n, errors."""

from __future__ import annotations

from datetime import timedelta

from bot.devtools.harness import World
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry, Person, ProcessedUpdate
from tests.conftest import make_settings


async def test_help_for_a_member_lists_member_commands(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")
    assert "/lang" in hoa.last_text() and "/cancel" in hoa.last_text()


async def test_outsider_gets_invite_hint_and_nothing_is_stored(world):
    stranger = world.outsider("Lê Văn Lạ")
    await stranger.send("/lang")
    assert "trưởng đơn vị" in stranger.last_text()
    assert await world.rows(Person) == []


async def test_outsider_in_english_is_answered_in_english(world):
    stranger = world.outsider("John", language_code="en")
    await stranger.send("/anything")
    assert "invite" in stranger.last_text()


async def test_same_update_twice_is_handled_once(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    update = hoa.message_update("/help")
    await world.feed(update)
    await world.feed(update)
    assert len(hoa.messages()) == 1


async def test_lang_switch_is_saved_audited_and_used(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    await hoa.click("English")
    assert hoa.last_text() == "Switched to English."
    await hoa.send("/help")
    assert "You can use" in hoa.last_text()
    [person] = await world.rows(Person)
    assert person.language == "en"
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.language")
    assert entry.before == {"language": "vi"} and entry.after == {"language": "en"}


async def test_a_writing_update_commits_its_id_with_its_rows(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    update = await hoa.send("/lang")
    await hoa.click("English")
    ids = {r.update_id for r in await world.rows(ProcessedUpdate)}
    assert update.update_id not in ids  # read-only: deferred to the batch
    assert len(ids) == 1  # the click wrote, so its id went with the commit
    await world.dp["dedup"].flush()
    assert update.update_id in {r.update_id for r in await world.rows(ProcessedUpdate)}


async def test_group_chat_gets_no_answer_about_people(world):
    from aiogram.types import Chat

    hoa = await world.staff("Nguyễn Thị Hoa")
    group = Chat(id=-100123, type="supergroup", title="Công đoàn")
    await world.feed(hoa.message_update("/help", chat=group))
    assert world.api.sent_to(-100123) == []
    assert world.api.calls_of("sendMessage") == []


async def test_message_is_not_modified_is_swallowed(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    await hoa.click("English")
    before = len(hoa.messages())
    await world.feed(hoa.callback_update("lang:en", message=hoa.last()))  # the same press again
    edits = world.api.calls_of("editMessageText")
    assert len(edits) == 2  # Telegram said "not modified" to the second one
    assert len(hoa.messages()) == before  # and nobody was told "something went wrong"
    assert "went wrong" not in hoa.last_text()


async def test_a_forged_button_from_an_outsider_changes_nothing(world):
    stranger = world.outsider("Lê Văn Lạ")
    await stranger.press("lang:en")
    assert "trưởng đơn vị" in stranger.alerts()[-1]
    assert await world.rows(Person) == []


async def test_ids_seen_more_than_a_day_ago_may_come_again_and_be_committed(world_url, clock):
    engine = make_engine(world_url)
    async with make_sessionmaker(engine)() as s:  # before a quiet week, ids 1..5 were handled
        s.add_all(ProcessedUpdate(update_id=i, seen_at=clock.now() - timedelta(days=8)) for i in range(1, 6))
        await s.commit()
    w = await World(make_settings(world_url), engine, clock, first_update_id=1).start()
    hoa = await w.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")  # Telegram restarted the ids at 1
    click = await hoa.click("English")  # a writing update commits its id with its rows
    assert hoa.last_text() == "Switched to English."
    [row] = await w.rows(ProcessedUpdate)
    assert row.update_id == click.update_id and row.seen_at == clock.now()
    await w.close()
    await engine.dispose()


async def test_text_where_a_button_is_expected_points_at_the_buttons(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    from aiogram.fsm.state import State

    await world.dp.fsm.storage.set_state(hoa.key(), State("waiting", "ProbeSG"))
    await hoa.send("xin chào")
    assert "/cancel" in hoa.last_text()
    assert await hoa.state() == "ProbeSG:waiting"
