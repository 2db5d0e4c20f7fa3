"""Checks on what a person types or sends, shared by the features: a text's length, a file's type and size.

Each feature keeps its own limits and its own errors (their catalogue keys say what is wrong in its words);
these functions only apply them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import PurePosixPath

from bot.errors import DomainError
from bot.text import esc, nfc

MB = 1024 * 1024
# Types a phone often sends for any file: they neither confirm nor contradict the extension.
GENERIC_MIME = frozenset({"application/octet-stream", "application/zip"})

ErrorType = Callable[..., DomainError]


def sized_text(text: str | None, low: int, high: int, too_short: ErrorType, too_long: ErrorType) -> str:
    """The text, normalised and stripped, when its length is within [low, high]; else the feature's error."""
    value = nfc(text or "").strip()
    if len(value) < low:
        raise too_short(length=len(value), min=low)
    if len(value) > high:
        raise too_long(length=len(value), max=high)
    return value


def size_mb(size: int) -> str:
    """A size in MB as a Vietnamese clerk writes it: one decimal, with a comma."""
    return f"{size / MB:.1f}".replace(".", ",")


def check_size(size: int | None, max_bytes: int, too_large: ErrorType) -> None:
    if size is not None and size > max_bytes:
        raise too_large(size=size_mb(size), max=max_bytes // MB)


def check_file(
    file_name: str | None,
    mime_type: str | None,
    size: int | None,
    *,
    types: Mapping[str, frozenset[str] | set[str]],
    max_bytes: int,
    wrong_type: ErrorType,
    too_large: ErrorType,
) -> None:
    """A file of one of `types` (extension → MIME types), at most `max_bytes`; extension and type agree."""
    ext = PurePosixPath(file_name or "").suffix.lower().lstrip(".")
    allowed = types.get(ext)
    mime = (mime_type or "").lower()
    if allowed is None or (mime and mime not in allowed and mime not in GENERIC_MIME):
        raise wrong_type(name=esc(file_name or "?"))
    check_size(size, max_bytes, too_large)
