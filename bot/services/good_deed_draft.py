"""What a good deed's reporter types and sends, before anything is stored: the limits, the errors a person
can cause, the checks, the draft kept in the conversation, and the photos of an album as they come. No
database, no aiogram (bot/services/good_deed.py is the service)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.errors import DomainError, NotAllowed, NotFound
from bot.services import checks
from bot.services.checks import sized_text
from storage.models.good_deed import GoodDeedSubject

TEXT_MIN, TEXT_MAX = 20, 2000
REASON_MIN, REASON_MAX = 5, 500  # every reason of the house: at least 5 characters, with a letter or a digit
PHOTOS_MAX = 5
PHOTO_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "doc": frozenset({"application/msword"}),
    "docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
}


# -- errors a person can cause -------------------------------------------------------------------------------
class TextTooShort(DomainError):
    key = "gooddeed-text-too-short"


class TextTooLong(DomainError):
    key = "gooddeed-text-too-long"


class ReasonTooShort(DomainError):
    key = "gooddeed-reason-too-short"


class ReasonTooLong(DomainError):
    key = "gooddeed-reason-too-long"


class BadDay(DomainError):
    key = "gooddeed-day-unreadable"


class DayInFuture(DomainError):
    key = "gooddeed-day-future"


class DayBeforePeriod(DomainError):
    key = "gooddeed-day-before-period"


class NoPeriod(DomainError):
    key = "gooddeed-no-period"


class FileTypeNotAllowed(DomainError):
    key = "gooddeed-file-type"


class FileTooLarge(DomainError):
    key = "gooddeed-file-too-large"


class TooManyPhotos(DomainError):
    key = "gooddeed-too-many-photos"


class AlbumTooLarge(DomainError):
    key = "gooddeed-album-too-large"


class PhotosOrDocument(DomainError):
    key = "gooddeed-photos-or-document"


class DeedNotFound(NotFound):
    key = "gooddeed-not-found"


class NotYourDeed(NotAllowed):
    key = "gooddeed-not-yours"


# -- checks on what a person types or sends ------------------------------------------------------------------
def check_text(text: str | None) -> str:
    return sized_text(text, TEXT_MIN, TEXT_MAX, TextTooShort, TextTooLong)


def check_reason(text: str | None) -> str:
    value = sized_text(text, REASON_MIN, REASON_MAX, ReasonTooShort, ReasonTooLong)
    if not any(ch.isalnum() for ch in value):
        raise ReasonTooShort(length=len(value), min=REASON_MIN)
    return value


def check_photo(size: int | None) -> None:
    checks.check_size(size, PHOTO_MAX_BYTES, FileTooLarge)


def check_document(file_name: str | None, mime_type: str | None, size: int | None) -> None:
    """PDF, DOC/DOCX, JPG/PNG up to 20 MB; the extension and the MIME type must agree."""
    checks.check_file(
        file_name,
        mime_type,
        size,
        types=DOCUMENT_TYPES,
        max_bytes=DOCUMENT_MAX_BYTES,
        wrong_type=FileTypeNotAllowed,
        too_large=FileTooLarge,
    )


# -- the draft kept in the conversation ----------------------------------------------------------------------
@dataclass
class Evidence:
    kind: str  # photo | document
    file_id: str
    file_unique_id: str
    size: int = 0
    name: str | None = None
    group: str | None = None  # the album's media_group_id


@dataclass
class Draft:
    subject: str = GoodDeedSubject.PERSON.value
    person_id: int | None = None
    unit_id: int | None = None
    label: str = ""  # the name of whom it is about, as picked
    text: str = ""
    happened_on: str = ""  # ISO date
    anonymous: bool = False
    files: list[Evidence] = field(default_factory=list)
    refused_groups: list[str] = field(default_factory=list)  # albums over the limit: every photo dropped

    def as_state(self) -> dict[str, Any]:
        return {"draft": asdict(self)}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Draft:
        raw = dict(data.get("draft") or {})
        raw["files"] = [Evidence(**f) for f in raw.get("files") or []]
        return cls(**raw)

    def photos(self) -> int:
        return sum(1 for f in self.files if f.kind == "photo")


@dataclass(frozen=True)
class AlbumStep:
    """What a photo of an album did: `count` photos of the album kept, or the album was refused."""

    group: str
    count: int
    refused: bool = False
    first_refusal: bool = False


def add_photo(draft: Draft, ev: Evidence) -> AlbumStep | None:
    """Keep one photo (alone, or as part of an album). Raises for a photo alone over the limit; an album over
    the limit drops all of its photos and is remembered as refused (its later photos are dropped too)."""
    if any(f.kind == "document" for f in draft.files):
        raise PhotosOrDocument()
    if ev.group is None:
        if draft.photos() >= PHOTOS_MAX:
            raise TooManyPhotos(max=PHOTOS_MAX)
        draft.files.append(ev)
        return None
    if ev.group in draft.refused_groups:
        return AlbumStep(ev.group, 0, refused=True)
    if draft.photos() >= PHOTOS_MAX:
        draft.files = [f for f in draft.files if f.group != ev.group]
        draft.refused_groups.append(ev.group)
        return AlbumStep(ev.group, 0, refused=True, first_refusal=True)
    draft.files.append(ev)
    return AlbumStep(ev.group, sum(1 for f in draft.files if f.group == ev.group))


def add_document(draft: Draft, ev: Evidence) -> None:
    if draft.files:
        raise PhotosOrDocument()
    draft.files.append(ev)
