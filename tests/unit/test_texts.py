"""The catalogues: vi and en hold the same keys and placeholders, and every key the code uses exists.

A plural entry (`msgid_plural`, read with `tn`) has one text per plural form of its language: two in
English, one in Vietnamese; its placeholders are those of all its forms together."""

from __future__ import annotations

import re
import string
from pathlib import Path

from bot.i18n import forms_of, key_of, load_catalog, tn
from bot.text import search_key

ROOT = Path(__file__).resolve().parents[2]
KEY = r"""["']([a-z][a-z0-9]*(?:-[a-z0-9]+)+)["']"""
KEY_USE = re.compile(r"\b(?:t|_t|text|[A-Z]\w*)\(\s*" + KEY)
PLURAL_USE = re.compile(r"\b(?:tn|_tn)\(\s*" + KEY)
KEY_ATTR = re.compile(r"\bkey\s*=\s*" + KEY)
HELP_KEY = re.compile(r"register_command\([^)]*?" + KEY)


def catalog(lang: str) -> dict[str, str]:
    """Each key's text; a plural entry's forms joined by a new line (its placeholders: every form's)."""
    return {key_of(m): "\n".join(forms_of(m)) for m in load_catalog(lang) if m.id}


def plural_forms(lang: str) -> dict[str, tuple[str, ...]]:
    return {key_of(m): forms_of(m) for m in load_catalog(lang) if m.id and m.pluralizable}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def uses(*patterns: re.Pattern[str]) -> set[tuple[str, str]]:
    """(file, key) for every key the code passes to one of these calls."""
    found = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            for pattern in patterns:
                found |= {(str(path.relative_to(ROOT)), key) for key in pattern.findall(source)}
    return found


def test_vi_and_en_have_the_same_keys():
    vi, en = catalog("vi"), catalog("en")
    assert sorted(set(vi) ^ set(en)) == []


def test_no_text_is_empty_and_placeholders_match():
    vi, en = catalog("vi"), catalog("en")
    for key in vi:
        assert vi[key].strip() and en[key].strip(), key
        assert placeholders(vi[key]) == placeholders(en[key]), key


def test_plural_entries_have_every_form_of_their_language():
    vi, en = plural_forms("vi"), plural_forms("en")
    assert sorted(set(vi) ^ set(en)) == []  # plural in one language, plural in the other
    for key in vi:
        assert len(vi[key]) == 1 and all(f.strip() for f in vi[key]), key  # Vietnamese: nplurals=1
        assert len(en[key]) == 2 and all(f.strip() for f in en[key]), key  # English: one, other


def test_every_key_the_code_uses_exists():
    vi = catalog("vi")
    used = uses(KEY_USE, KEY_ATTR, HELP_KEY, PLURAL_USE)
    missing = {f"{path}: {key}" for path, key in used if key not in vi}
    assert sorted(missing) == []


def test_plural_keys_are_read_with_tn_and_plain_keys_with_t():
    plural = plural_forms("vi")
    as_plain = {f"{path}: {key}" for path, key in uses(KEY_USE) if key in plural}
    as_plural = {f"{path}: {key}" for path, key in uses(PLURAL_USE) if key not in plural}
    assert sorted(as_plain) == [] and sorted(as_plural) == []


def test_tn_picks_the_form_of_the_number():
    [key, *_] = sorted(plural_forms("en"))
    one, other = plural_forms("en")[key]
    params = {name: "x" for name in placeholders(one + other) if name != "n"}
    assert tn(key, 1, locale="en", **params) == one.format(n=1, **params)
    assert tn(key, 3, locale="en", **params) == other.format(n=3, **params)
    [only] = plural_forms("vi")[key]
    assert tn(key, 1, locale="vi", **params) == only.format(n=1, **params)
    assert tn(key, 3, locale="vi", **params) == only.format(n=3, **params)


def test_vietnamese_texts_carry_diacritics():
    vi = catalog("vi")
    plain = [k for k, v in vi.items() if len(v) > 25 and search_key(v) == " ".join(v.casefold().split())]
    assert plain == []


def test_search_key_ignores_case_diacritics_and_d_bar():
    assert search_key("  Nguyễn   Thị ĐÀO ") == "nguyen thi dao"


def test_a_long_button_label_is_cut_after_a_whole_word():
    from bot.text import label

    name = "Đặt giờ, địa điểm: Bình xét thi đua, khen thưởng năm học 2026-2027 của Trường"
    cut = label(name)
    assert len(cut) <= 64 and cut.endswith("…")
    assert name.startswith(cut[:-1]) and name[len(cut) - 1] == " "  # the last word is whole
    assert label("Xem việc chờ duyệt") == "Xem việc chờ duyệt"


def test_a_count_in_a_plural_entry_is_grouped_as_the_office_writes_it():
    assert "Tổng cộng 3.000 nơi nhận" in tn("announce-preview-where", 3000, locale="vi", where="x")
    assert "3,000" in tn("announce-preview-where", 3000, locale="en", where="x")
    assert "Tổng cộng 12 nơi nhận" in tn("announce-preview-where", 12, locale="vi", where="x")
