"""What `thidua` prints is catalogue text: Vietnamese by default, English with `thidua --lang en`.

`invite create` still ends with the bare deep link, for scripts (`tail -n 1`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.i18n import current_locale, t

ROOT = Path(__file__).resolve().parents[1]
ORG = ROOT / "plans" / "org.yaml"
LINK = re.compile(r"^https://t\.me/thidua_bot\?start=[A-Za-z0-9_-]{43,64}$")


@pytest.fixture
def thidua(sqlite_templates, tmp_path, monkeypatch):
    """Run `thidua ...` on a fresh database; returns the result (stdout and stderr together)."""
    url = sqlite_templates.fresh()
    monkeypatch.chdir(tmp_path)  # no .env of the developer

    def invoke(*args: str, ok: bool = True, env: dict[str, str] | None = None):
        result = CliRunner().invoke(
            main,
            list(args),
            env={"DATABASE_URL": url, "BOT_TOKEN": "", "DEFAULT_LOCALE": "vi", **(env or {})},
            catch_exceptions=False,
        )
        assert (result.exit_code == 0) is ok, result.output
        return result

    return invoke


def test_migrate_speaks_vietnamese_by_default_and_english_with_lang_en(thidua):
    assert thidua("migrate").output.startswith("Cơ sở dữ liệu đã ở phiên bản mới nhất (")
    english = thidua("--lang", "en", "migrate").output
    assert english.startswith("The database is already at the newest revision (")


def test_the_default_language_of_the_installation_applies_without_lang(thidua):
    result = thidua("migrate", env={"DEFAULT_LOCALE": "en"})
    assert result.output.startswith("The database is already at the newest revision (")


def test_lang_en_does_not_stay_on_after_the_command(thidua):
    thidua("--lang", "en", "migrate")
    assert current_locale() == "vi"
    assert t("cli-migrated-current", revision="0015").startswith("Cơ sở dữ liệu đã ở phiên bản mới nhất")


def test_invite_create_says_what_it_made_in_vietnamese_and_ends_with_the_bare_link(thidua):
    thidua("org", "load", str(ORG))
    result = thidua(
        "invite", "create", "--role", "staff", "--unit", "TCHC", "--uses", "3", "--bot-username", "thidua_bot"
    )
    *info, last = result.output.strip().splitlines()
    assert LINK.match(last)
    assert info == [info[0]] and info[0].startswith("Đã tạo liên kết mời số 1: CBVC-NLĐ,")
    assert "đơn vị TCHC" in info[0] and "dùng được 3 lần" in info[0] and "hết hạn lúc" in info[0]


def test_invite_create_in_english_counts_uses_with_a_real_plural(thidua):
    thidua("org", "load", str(ORG))
    once = thidua(
        "--lang", "en", "invite", "create", "--role", "staff", "--unit", "TCHC", "--bot-username", "b"
    )
    twice = thidua(
        "--lang", "en", "invite", "create", "--role", "staff", "--unit", "TCHC", "--uses", "2",
        "--bot-username", "b",
    )  # fmt: skip
    assert "Invite link 1 created: Staff member, unit TCHC, can be used once, expires at" in once.output
    assert "can be used 2 times," in twice.output
    assert "time(s)" not in once.output + twice.output


def test_org_load_reports_in_the_operators_language(thidua):
    assert "Đơn vị: thêm mới" in thidua("org", "load", str(ORG)).output
    assert "Units:" in thidua("--lang", "en", "org", "load", str(ORG)).output


def test_errors_are_headed_in_the_operators_language(thidua):
    vi = thidua("invite", "create", "--role", "staff", "--bot-username", "b", ok=False)
    args = ["invite", "create", "--role", "staff", "--unit", "NOPE", "--bot-username", "b"]
    en = thidua("--lang", "en", *args, ok=False)
    assert "Anh/Chị ghi --unit" in vi.output
    assert en.output.startswith("Error: ") and "Lỗi" not in en.output


def test_without_a_bot_token_invite_create_asks_for_the_username_in_vietnamese(thidua):
    thidua("org", "load", str(ORG))
    result = thidua("invite", "create", "--role", "staff", "--unit", "TCHC", ok=False)
    assert result.output.strip() == (
        "Lỗi: Chưa biết tên của bot: Anh/Chị đặt BOT_USERNAME trong .env hoặc ghi thêm "
        "--bot-username TÊN_BOT (hoặc đặt BOT_TOKEN để hỏi Telegram)."
    )


def test_a_bad_duration_is_explained_in_the_operators_language(thidua):
    result = thidua("invite", "create", "--role", "staff", "--unit", "TCHC", "--expires", "soon", ok=False)
    assert "ví dụ: 7d (7 ngày), 12h (12 giờ), 2w (2 tuần)" in result.output
