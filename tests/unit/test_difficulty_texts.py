"""Every difficulty text exists in Vietnamese and English, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.i18n import forms_of, key_of, load_catalog, t

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    "handlers/difficulty.py",
    "bot/services/difficulty.py",
    "bot/services/difficulty_rules.py",
    "handlers/keyboards.py",
]
DYNAMIC = {  # keys built with an f-string in the code
    "difficulty-state-": ["open", "forwarded", "answered"],
    "difficulty-card-topic-": ["movement", "round"],
    "difficulty-topic-": ["movement", "round"],
    "difficulty-filter-": ["all", "open", "ans"],
}


def _catalogue(lang: str) -> dict[str, str]:
    """Each key's text (a plural entry: its forms, one per line)."""
    entries = [m for m in load_catalog(lang) if m.id and key_of(m).startswith("difficulty-")]
    return {key_of(m): "\n".join(forms_of(m)) for m in entries}


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for src in SOURCES:
        keys |= set(re.findall(r'"(difficulty-[a-z-]*[a-z])"', (ROOT / src).read_text(encoding="utf-8")))
    for prefix, suffixes in DYNAMIC.items():
        keys |= {prefix + s for s in suffixes}
    return keys


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_key_used_in_the_code_has_a_text(lang):
    catalogue = _catalogue(lang)
    missing = sorted(k for k in _used_keys() if not catalogue.get(k))
    assert missing == []


def test_vi_and_en_have_the_same_keys_and_placeholders():
    vi, en = _catalogue("vi"), _catalogue("en")
    assert set(vi) == set(en)
    assert {k: _fields(v) for k, v in vi.items()} == {k: _fields(v) for k, v in en.items()}


def test_vietnamese_is_the_source_with_diacritics():
    assert t("difficulty-btn-answer", locale="vi") == "Trả lời"
    assert t("difficulty-btn-forward", locale="vi") == "Chuyển Hiệu trưởng"
    assert t("difficulty-btn-answer", locale="en") == "Answer"
