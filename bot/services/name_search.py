"""The rule of every name search in the bot: what was typed, never a whole list.

A search needs at least 3 letters; case and diacritics are ignored (đ = d), through the normalised column
`Person.name_search` (bot.text.search_key). Every typed word must appear in the name. At most 8 come back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import DomainError
from bot.text import search_key
from storage.models import Person

MIN_LETTERS = 3
LIMIT = 8
QUERY_LIMIT = 100


class SearchTooShort(DomainError):
    key = "search-too-short"

    def __init__(self) -> None:
        super().__init__(min=MIN_LETTERS)


class SearchTooLong(DomainError):
    key = "search-too-long"

    def __init__(self) -> None:
        super().__init__(limit=QUERY_LIMIT)


def search_words(query: str) -> list[str]:
    """The normalised words of `query`; raises when it has fewer than 3 letters or is too long."""
    if len((query or "").strip()) > QUERY_LIMIT:
        raise SearchTooLong()
    words = search_key(query or "").split()
    if sum(c.isalpha() for w in words for c in w) < MIN_LETTERS:
        raise SearchTooShort()
    return words


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_matches(words: list[str]) -> Any:
    """The SQL condition: every word appears in the person's normalised name."""
    return and_(*(Person.name_search.like(f"%{_like_escape(w)}%", escape="\\") for w in words))


async def find_people(session: AsyncSession, query: str, *where: Any, limit: int = LIMIT) -> list[Person]:
    """People whose name matches `query` (and `where`), by name, at most `limit` (8)."""
    words = search_words(query)
    stmt = (
        select(Person)
        .where(name_matches(words), *where)
        .order_by(Person.name_search, Person.id)
        .limit(min(limit, LIMIT))
    )
    return list((await session.scalars(stmt)).all())
