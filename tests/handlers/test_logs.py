"""Structured logs (LOG_FORMAT=json, issue 22): one object a line naming the update, the person, the handler
and the latency; never the token, never what a person wrote at INFO."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.devtools.harness import TEST_TOKEN
from bot.logs import formatter
from bot.telegram import install_redaction, secrets_of
from tests.conftest import make_settings
from tests.handlers.test_core_middlewares import probe_world

PRIVATE = "Nội dung riêng tư của chị Hoa: số điện thoại 0912 345 678"


@pytest.fixture
def json_log(world_url: str) -> Iterator[io.StringIO]:
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(formatter("json", secrets_of(make_settings(world_url))))
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.INFO)
    yield buf
    root.removeHandler(handler)
    root.setLevel(old)


def lines(buf: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


async def test_each_update_is_one_json_line_with_its_id_person_handler_and_latency(
    world_url, clock, json_log
):
    w = await probe_world(world_url, clock, [])
    install_redaction(w.settings)
    hoa = await w.staff("Nguyễn Thị Hoa")
    update = await hoa.send("/help")
    entries = lines(json_log)
    assert entries and all({"ts", "level", "logger", "message"} <= set(e) for e in entries)
    mine = [e for e in entries if e.get("update_id") == update.update_id]
    assert len(mine) == 1, mine
    assert mine[0]["person_id"] == hoa.person_id and mine[0]["handler"] == "common.help_"
    assert isinstance(mine[0]["latency_ms"], float) and mine[0]["outcome"] == "ok"
    await w.close()


async def test_the_token_never_appears_and_texts_stay_out_of_info(world_url, clock, json_log):
    w = await probe_world(world_url, clock, [])
    install_redaction(w.settings)
    hoa = await w.staff("Nguyễn Thị Hoa")
    await hoa.send(PRIVATE)
    await hoa.send("/boom")  # its exception carries the token
    logging.getLogger("thidua.test").info("plain %s", TEST_TOKEN)
    logging.getLogger("thidua.test").info(
        "in a field", extra={"url": f"https://api.telegram.org/bot{TEST_TOKEN}/x"}
    )
    text = json_log.getvalue()
    assert "kaboom" in text  # the failure is logged, redacted
    assert TEST_TOKEN not in text and TEST_TOKEN.split(":")[1] not in text
    info = [e for e in lines(json_log) if e["level"] == "INFO"]
    assert info and not any("0912 345 678" in json.dumps(e, ensure_ascii=False) for e in info)
    assert "riêng tư" not in text
    await w.close()
