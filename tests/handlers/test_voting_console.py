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
