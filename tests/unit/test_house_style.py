"""House style of the texts (issue 10.4): what a TC-HC clerk would write, kept from coming back.

Every Vietnamese catalogue text and every plan file is scanned: the form of address is "Anh/Chị" (and
"anh/chị" inside a sentence), never "bạn"; quotes are “…”, not «…»; the invite is a "liên kết mời", not a
"link"; nothing internal is shown ("seed", codes such as "(lao_dong_tien_tien)"); English has real plurals.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import forms_of, key_of, load_catalog

ROOT = Path(__file__).resolve().parents[2]
PLANS = sorted((ROOT / "plans").glob("*.yaml"))
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def texts(lang: str) -> list[tuple[str, str]]:
    """(key, text) for every form of every entry, placeholders taken out."""
    return [(key_of(m), PLACEHOLDER.sub("", f)) for m in load_catalog(lang) if m.id for f in forms_of(m)]


def offending(lang: str, pattern: str, flags: int = re.IGNORECASE) -> list[str]:
    found = re.compile(pattern, flags)
    return sorted({f"{key}: {text}" for key, text in texts(lang) if found.search(text)})


def test_vietnamese_says_anh_chi_never_ban():
    assert offending("vi", r"\bbạn\b") == []


def test_anh_chi_is_capitalised_at_the_start_of_a_sentence_only():
    assert offending("vi", r"Anh/chị|ANH/CHỊ", 0) == []
    assert offending("vi", r"(?:[a-zà-ỹđ,]) Anh/Chị", 0) == []  # inside a sentence: "anh/chị"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_quotes_are_curly_not_guillemets(lang):
    assert offending(lang, r"[«»]") == []


def test_the_invite_is_a_lien_ket_moi():
    assert offending("vi", r"\blink\b|đường link") == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_text_says_seed_or_shows_an_internal_code(lang):
    assert offending(lang, r"\bseed\b") == []
    assert offending(lang, r"\([a-z]+(?:_[a-z]+)+\)", 0) == []  # such as "(lao_dong_tien_tien)"


def test_english_has_real_plurals():
    assert offending("en", r"\w\(s\)") == []
    assert offending("en", r"(?<!\()lương cơ sở|\(to confirm\)") == []  # "base salary", "to be confirmed"


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.name)
def test_plan_files_say_no_seed_and_quote_with_curly_quotes(path):
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"(?i)\bseed\b.*", text) == []
    assert re.findall(r".*[«»].*", text) == []


def test_the_shipped_plan_cites_the_plan_and_the_law_by_their_names():
    text = (ROOT / "plans" / "2021-2025.yaml").read_text(encoding="utf-8")
    assert "Kế hoạch giai đoạn 2021–2025 của Nhà trường, mục B.IV.2–3" in text
    assert "Luật Thi đua, khen thưởng số 06/2022/QH15" in text
    assert "Bằng khen của Chủ tịch UBND tỉnh" in text
