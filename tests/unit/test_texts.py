"""The catalogues: vi and en hold the same keys and placeholders, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import load_catalog
from bot.text import search_key, split_message

ROOT = Path(__file__).resolve().parents[2]
KEY = r"""["']([a-z][a-z0-9]*(?:-[a-z0-9]+)+)["']"""
KEY_USE = re.compile(r"\b(?:t|_t|text|[A-Z]\w*)\(\s*" + KEY)
KEY_ATTR = re.compile(r"\bkey\s*=\s*" + KEY)
HELP_KEY = re.compile(r"register_command\([^)]*?" + KEY)


def catalog(lang: str) -> dict[str, str]:
    return {m.id: m.string for m in load_catalog(lang) if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_vi_and_en_have_the_same_keys():
    vi, en = catalog("vi"), catalog("en")
    assert sorted(set(vi) ^ set(en)) == []


def test_no_text_is_empty_and_placeholders_match():
    vi, en = catalog("vi"), catalog("en")
    for key in vi:
        assert vi[key].strip() and en[key].strip(), key
        assert placeholders(vi[key]) == placeholders(en[key]), key


def test_every_key_the_code_uses_exists():
    vi = catalog("vi")
    missing = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            for pattern in (KEY_USE, KEY_ATTR, HELP_KEY):
                for key in pattern.findall(source):
                    if key not in vi:
                        missing.add(f"{path.relative_to(ROOT)}: {key}")
    assert sorted(missing) == []


def test_vietnamese_texts_carry_diacritics():
    vi = catalog("vi")
    plain = [k for k, v in vi.items() if len(v) > 25 and search_key(v) == " ".join(v.casefold().split())]
    assert plain == []


def test_search_key_ignores_case_diacritics_and_d_bar():
    assert search_key("  Nguyễn   Thị ĐÀO ") == "nguyen thi dao"


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=120), max_size=80))
def test_split_message_keeps_lines_and_fits(lines):
    text = "\n".join(lines)
    parts = split_message(text, limit=100)
    assert all(len(p) <= 100 for p in parts)
    if all(len(line) <= 100 for line in lines):
        assert "\n".join(parts) == text
