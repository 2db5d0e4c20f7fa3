"""What a broadcast promises, each with a test that fails when its check is removed (issue 18, C12): a
re-send never repeats a part; someone known to have blocked the bot is not sent the post; names, titles and
numbers with `<` or `&` in the template arrive escaped and intact."""

from __future__ import annotations

from sqlalchemy import update

from bot.tghtml import visible
from storage.models import OutboxMessage, Person
from storage.models.plan import PlanCommendation
from tests.handlers.announce_steps import pick_exemplar, posts, setup, to_draft, to_preview

NOT_FOUND = "Bad Request: chat not found"


async def test_a_second_resend_never_sends_again_what_the_first_delivered(world):
    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    lan = await world.staff("Đặng Văn Lân")
    minh = await world.staff("Trần Văn Minh")
    world.api.fail("*", 400, NOT_FOUND, chat_id=lan.id)  # the first round only
    world.api.fail("*", 400, NOT_FOUND, chat_id=minh.id, times=10**6)  # every round
    await to_draft(thu)
    await to_preview(thu, "Toàn thể CBVC")
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert posts(lan) == []
    await thu.click("Gửi lại cho nơi chưa nhận")  # round 1: Lân gets it, Minh still not
    await world.drain_outbox()
    assert len(posts(lan)) == 1
    await thu.click("Gửi lại cho nơi chưa nhận")  # round 2: Minh only; Lân's failed first row stays failed
    await world.drain_outbox()
    assert len(posts(lan)) == 1
    rounds = {r.batch for r in await world.rows(OutboxMessage, OutboxMessage.chat_id == lan.id) if r.batch}
    assert len(rounds) == 2  # the first round and the re-send that reached him, nothing in the third
    assert any("Đã gửi 0/1 · không gửi được 1" in x for x in thu.texts())


async def test_someone_known_to_have_blocked_the_bot_is_not_sent_the_post(world):
    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    lan = await world.staff("Đặng Văn Lân")
    async with world.session() as s:  # he blocked the bot earlier (a 403, or my_chat_member "kicked")
        await s.execute(update(Person).where(Person.id == lan.person_id).values(unreachable=True))
        await s.commit()
    await to_draft(thu)
    await to_preview(thu, "Toàn thể CBVC")
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert [c for c in world.api.calls if c.params.get("chat_id") == lan.id] == []  # never even tried
    assert any("Đã gửi 2/3 · không gửi được 0 · 1 người đã chặn bot" in x for x in thu.texts())


async def test_names_titles_and_numbers_with_markup_characters_arrive_escaped_and_intact(world):
    """Real tags and entities, so that a value left unescaped would show bold or decoded (a stray "<" alone
    would be repaired by the splitter and hide a missing escape)."""
    thu, team = await setup(world)
    await world.unit("KDL", "Khoa Du lịch &amp; Khách sạn <i>DL</i>", kind="khoa")
    await world.staff("Nguyễn Thị <b>Hoa</b> & Lan", unit="KDL")
    async with world.session() as s:
        await s.execute(
            update(PlanCommendation)
            .where(PlanCommendation.name_vi == "Lao động tiên tiến")
            .values(name_vi="Lao động tiên tiến <u>LĐTT</u> &lt;khá&gt;")
        )
        await s.commit()
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    await pick_exemplar(
        thu,
        "nguyen thi",
        "Nguyễn Thị <b>Hoa</b> & Lan",
        "Lao động tiên tiến <u>LĐTT</u>",
        "Dạy giỏi <s>cấp</s> trường &amp; tỉnh",
    )
    await thu.click("Xong")
    await thu.send("45/QĐ-<i>TĐKT</i>&amp;CĐ 20/05/2024")
    await to_preview(thu, "Công đoàn trường")
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    [post] = posts(team)
    assert "45/QĐ-&lt;i&gt;TĐKT&lt;/i&gt;&amp;amp;CĐ" in post
    assert "<b>Lao động tiên tiến &lt;u&gt;LĐTT&lt;/u&gt; &amp;lt;khá&amp;gt;</b>" in post
    shown = visible(post, strict=True)  # as Telegram reads it
    assert "Theo Quyết định số 45/QĐ-<i>TĐKT</i>&amp;CĐ ngày 20/05/2024:" in shown
    assert "\nLao động tiên tiến <u>LĐTT</u> &lt;khá&gt;\n" in shown
    assert (
        "• Nguyễn Thị <b>Hoa</b> & Lan (Khoa Du lịch &amp; Khách sạn <i>DL</i>):"
        " Dạy giỏi <s>cấp</s> trường &amp; tỉnh"
    ) in shown
