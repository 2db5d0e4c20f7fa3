"""A reply Telegram refuses (a 400: "message is too long", …) always tells the person something (issue 18,
item 5): held after a commit, a short apology in their language says what they did was saved; sent before
any write, the error handler apologises."""

from __future__ import annotations

from storage.models import Person

REFUSED_VI = "Xin lỗi anh/chị, bot không gửi được câu trả lời này"
SAVED_VI = "Việc anh/chị vừa làm đã được lưu"


async def test_a_reply_refused_after_the_commit_is_replaced_by_an_apology(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    world.api.fail("editMessageText", 400, "Bad Request: MESSAGE_TOO_LONG", chat_id=hoa.id)
    await hoa.click("English")

    assert REFUSED_VI in hoa.last_text() and SAVED_VI in hoa.last_text()
    [person] = await world.rows(Person, Person.telegram_id == hoa.id)
    assert person.language == "en"  # the change was committed before the refusal


async def test_the_apology_is_in_the_persons_language(world):
    hoa = await world.staff("Nguyễn Thị Hoa", language="en")
    await hoa.send("/lang")
    world.api.fail("editMessageText", 400, "Bad Request: can't parse entities", chat_id=hoa.id)
    await hoa.click("Tiếng Việt")
    assert "Sorry, the bot could not send this reply" in hoa.last_text()


async def test_a_reply_refused_before_any_write_gets_the_error_handlers_apology(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.fail("sendMessage", 400, "Bad Request: message is too long", chat_id=hoa.id)
    await hoa.send("/help")
    assert "Xin lỗi, đã có lỗi xảy ra" in hoa.last_text()


async def test_an_edit_that_changes_nothing_is_not_apologised_for(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    world.api.fail("editMessageText", 400, "Bad Request: message is not modified", chat_id=hoa.id)
    await hoa.click("English")
    assert not any("Xin lỗi" in text for text in hoa.texts())
