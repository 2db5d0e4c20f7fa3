"""Settings: defaults, the Bot API server, and .env.example listing every setting."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings
from bot.telegram import create_bot

ROOT = Path(__file__).resolve().parents[2]


def test_defaults(monkeypatch):
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.database_url == "sqlite+aiosqlite:///./thidua.db"
    assert s.timezone == "Asia/Ho_Chi_Minh" and s.token is None


def test_requests_go_to_the_configured_api_server(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    bot = create_bot(Settings(_env_file=None))  # type: ignore[call-arg]
    assert bot.session.api.api_url("123:abc", "sendMessage") == "http://127.0.0.1:8081/bot123:abc/sendMessage"


def test_env_example_lists_every_setting_with_a_comment():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = re.findall(r"^([A-Z_]+)=", text, flags=re.M)
    assert sorted(listed) == sorted(name.upper() for name in Settings.model_fields)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            assert lines[i - 1].startswith("#") or re.match(r"^[A-Z_]+=", lines[i - 1]), line


def test_the_token_is_not_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "123:very-secret")
    assert "very-secret" not in repr(Settings(_env_file=None))  # type: ignore[call-arg]
