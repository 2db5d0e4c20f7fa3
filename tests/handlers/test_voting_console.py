"""The console's own VOTE_SECRET (issue 19): its throwaway database opens and tallies a vote without one."""

from __future__ import annotations


def test_the_console_sets_its_own_vote_secret_for_its_database():
    from bot.devtools.console import with_vote_secret
    from tests.conftest import make_settings

    plain_settings = make_settings("sqlite+aiosqlite:///console.db", vote_secret=None)
    one, two = with_vote_secret(plain_settings), with_vote_secret(plain_settings)
    assert one.vote_secret is not None and one.vote_secret.get_secret_value()
    assert one.vote_secret.get_secret_value() == two.vote_secret.get_secret_value()  # the same on every run
    kept = make_settings("sqlite+aiosqlite:///console.db")
    assert with_vote_secret(kept).vote_secret.get_secret_value() == kept.vote_secret.get_secret_value()


async def test_the_console_runs_a_whole_round_from_tick_to_the_opening_to_the_result(sqlite_templates):
    """The demo's nominations, `:tick` to the opening, both council members voting card by card from the
    opening message's "Bỏ phiếu", `:tick` past the close, and the secretary's result (issue 19)."""
    import re
    from collections.abc import Callable
    from datetime import datetime

    from bot.clock import VN_TZ, FakeClock
    from bot.devtools.console import run_console
    from tests.conftest import make_settings

    out: list[str] = []

    def press(label: str) -> Callable[[], str]:
        def number() -> str:
            for line in reversed(out):  # "[1] Đồng ý  [2] Không đồng ý  (tin nhắn 1)"
                for chunk in re.split(r"\s{2,}", line):
                    found = re.fullmatch(r"\[(\d+)\] (.+)", chunk.strip())
                    if found and found.group(2).strip() == label:
                        return found.group(1)
            raise AssertionError(f"no button {label!r} in {out[-3:]}")

        return number

    def member_votes() -> list[str | Callable[[], str]]:
        steps: list[str | Callable[[], str]] = [press("Bỏ phiếu"), press("1. Nguyễn Thị Hoa")]
        for i in range(4):
            steps.append(press("Đồng ý"))
            if i < 3:
                steps.append(press("Sau ›"))
        return steps

    script: list[str | Callable[[], str]] = [
        ":tick 18d",  # 20/05 → 07/06/2027 09:00: the vote opens
        ":as 3",
        *member_votes(),
        ":as 7",
        *member_votes(),
        ":tick 12d",  # past the close at the end of 18/06
        ":as 2",
        ":quit",
    ]
    feed = iter(script)

    def read(_prompt: str) -> str:
        step = next(feed)
        return step() if callable(step) else step

    await run_console(
        make_settings(sqlite_templates.fresh()),
        demo=True,
        input_fn=read,
        print_fn=out.append,
        clock=FakeClock(datetime(2027, 5, 20, 9, 0, tzinfo=VN_TZ)),
    )
    text = "\n".join(out)
    assert "Đã bỏ phiếu 4/4" in text
    result = text[text.rindex("Anh/Chị đang đóng vai Trần Thị Lan.") :]
    assert "Kết quả bỏ phiếu" in result and "Thành viên Hội đồng: 2 · Đã bỏ phiếu: 2" in result
    assert "Nguyễn Thị Hoa (Khoa Công nghệ thông tin) — Đạt · Đồng ý 2/2" in result
