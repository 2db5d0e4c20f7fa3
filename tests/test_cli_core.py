"""`thidua migrate` says what it did: the revisions it applied, or that the database was already current."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from storage.migrate import alembic_config


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "thidua.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("DEFAULT_LOCALE", "vi")
    return path


def thidua(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def test_migrate_names_the_revisions_it_applied_then_says_the_database_is_current(db_file: Path) -> None:
    first = thidua("migrate")
    assert first.exit_code == 0, first.output
    assert "Đã nâng cấp cơ sở dữ liệu" in first.output
    assert "0001" in first.output and head() in first.output  # from the first revision to the newest

    again = thidua("migrate")
    assert again.exit_code == 0
    assert "Đã nâng cấp" not in again.output
    assert f"đã ở phiên bản mới nhất ({head()})" in again.output


def test_migrate_speaks_english_with_lang(db_file: Path) -> None:
    thidua("migrate")
    assert "already at the newest revision" in thidua("--lang", "en", "migrate").output
