"""The reliability suite, fault injection (issue 22): 429, 5xx, a network error and 403 on every path the bot
sends by. The outbox's paths (a private message, a document, a photo, an edit, a group's and a channel's
message) and the direct answers (a reply after the commit, a callback's answer). A passing fault is waited
out or retried and the message arrives exactly once; a 403 is settled: a person marked unreachable, a chat's
rows failed, never retried forever, and nothing escalates."""

from __future__ import annotations

import pytest

from bot.devtools.harness import World
from storage.models import OutboxMessage, Person
from tests.handlers.test_outbox_features import CHANNEL, GROUP, outbox

FAULTS = ("429", "500", "network", "403")
PATHS = ("message", "document", "photo", "edit", "group", "channel")
APOLOGY = "Xin lỗi, đã có lỗi xảy ra"
NEVER_CONNECTED = "ClientConnectorError: Cannot connect to host api.telegram.org:443"


def inject(
    world: World, fault: str, chat_id: int, method: str = "*", network: str = "Request timeout error"
) -> None:
    if fault == "429":
        world.api.fail(method, 429, "Too Many Requests: retry after 2", chat_id, retry_after=2, times=2)
    elif fault == "500":
        world.api.fail(method, 500, "Internal Server Error", chat_id, times=2)
    elif fault == "network":
        world.api.fail(method, 0, network, chat_id, times=2)
    elif fault == "403" and chat_id > 0:
        world.api.block(chat_id)
    else:
        world.api.fail(method, 403, "Forbidden: bot was kicked from the group chat", chat_id, times=10)


def delivered(world: World, chat_id: int) -> list[str]:
    return [m.text or "" for m in world.api.sent_to(chat_id)]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("path", PATHS)
async def test_the_outbox_delivers_once_through_a_passing_fault_and_settles_a_refusal(world, path, fault):
    hoa = await world.staff("Nguyễn Thị Hoa")
    chat = {"group": GROUP, "channel": CHANNEL}.get(path, hoa.id)
    direct = None
    if path == "edit":  # a card answered directly, edited later by the outbox
        direct = await world.bot.send_message(hoa.id, "Hồ sơ: chờ duyệt")
    inject(world, fault, chat, "editMessageText" if path == "edit" else "*")
    async with outbox(world) as ob:
        if path in ("document", "photo"):
            name = "tep.jpg" if path == "photo" else "tep.pdf"
            f = await ob.file(data=b"\xff\xd8 noi dung", name=name, kind=path)
            row = ob.enqueue(chat, "Tệp đính kèm", method=path, file=f, person_id=None)
        elif path == "edit":
            assert direct is not None
            row = ob.enqueue(chat, "Hồ sơ: đã duyệt", method="edit", edit_message_id=direct.message_id)
        else:
            row = ob.enqueue(chat, "Thông báo thi đua", kind="notice" if chat > 0 else path)
    await world.drain_outbox(advance=True)
    [row] = await world.rows(OutboxMessage, OutboxMessage.id == row.id)
    texts = delivered(world, chat)
    expected = {"edit": "Hồ sơ: đã duyệt", "document": "Tệp đính kèm", "photo": "Tệp đính kèm"}.get(
        path, "Thông báo thi đua"
    )
    if fault != "403":
        assert row.status == "sent", (row.status, row.error)
        assert texts.count(expected) == 1, texts
        return
    assert row.status in ("blocked", "failed") and row.error == "forbidden", (row.status, row.error)
    assert expected not in texts
    sends = [c for c in world.api.calls if c.params.get("chat_id") == chat and c.method != "getChat"]
    assert len(sends) <= 1 + (path == "edit"), sends  # asked once, not retried
    if chat > 0:
        [person] = await world.rows(Person, Person.telegram_id == hoa.id)
        assert person.unreachable


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_direct_reply_waits_out_or_survives_every_fault_and_nothing_escalates(world, fault, caplog):
    hoa = await world.staff("Nguyễn Thị Hoa")
    inject(world, fault, hoa.id, "sendMessage", network=NEVER_CONNECTED)  # a timeout: see below
    await hoa.send("/help")
    texts = hoa.texts()
    if fault != "403":  # waited out, or tried again after a pause on the clock, then answered once
        assert len(texts) == 1 and "Anh/Chị có thể dùng các lệnh sau" in texts[0], texts
    else:
        assert texts == []
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    world.api.failures.clear()
    world.api.unblock(hoa.id)
    await hoa.send("/help")  # the bot still answers afterwards
    assert len(hoa.texts()) == len(texts) + 1


async def test_a_direct_reply_that_timed_out_is_not_sent_again(world):
    """A timeout leaves it unknown whether Telegram took the message (slow, not absent): sent again, the
    person could read it twice. An edit or a callback's answer is tried again (doing it twice changes
    nothing), and so is a call that never connected."""
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.fail("sendMessage", 0, "Request timeout error", hoa.id, times=1)
    await hoa.send("/help")
    helps = [c for c in world.api.calls if c.method == "sendMessage" and "các lệnh sau" in c.params["text"]]
    assert len(helps) == 1, helps


@pytest.mark.parametrize("fault", ("429", "500", "network"))
async def test_a_callback_answer_through_a_fault_leaves_the_press_handled(world, fault):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/settings")
    label = hoa.buttons()[0]
    world.api.fail(
        "answerCallbackQuery",
        {"429": 429, "500": 500, "network": 0}[fault],
        "Too Many Requests: retry after 1" if fault == "429" else "Internal Server Error",
        retry_after=1 if fault == "429" else None,
        times=2,
    )
    answered = len(world.api.answered)
    await hoa.click(label)
    assert len(world.api.answered) == answered + 1  # the spinner stopped, after the fault passed
    before = len(hoa.texts())
    await hoa.send("/settings")  # the bot carries on
    assert len(hoa.texts()) == before + 1


async def test_an_alert_longer_than_telegram_allows_is_cut_to_fit_and_still_answers(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")
    long = "Thông báo rất dài " * 20  # 360 characters: Telegram refuses an alert over 200
    await world.bot.answer_callback_query(hoa.callback_update("x").callback_query.id, long, show_alert=True)
    [call] = world.api.calls_of("answerCallbackQuery")
    assert len(call.params["text"]) == 200 and call.params["text"].endswith("…")
