"""The plan's texts exist in Vietnamese and English, including the families of keys built at run time."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import get_args

import pytest

from bot.i18n import forms_of, key_of, load_catalog
from bot.plan import schema
from bot.plan.loader import _PYDANTIC_KEYS
from bot.plan.schema import PlanIssue
from bot.services.plan import KINDS

ROOT = Path(__file__).resolve().parents[2]
LITERAL_KEY = re.compile(r"""["'](plan-[a-z0-9_-]+)["']""")


def catalog(lang: str) -> dict[str, str]:
    """Each plan key's text (a plural entry's forms joined, so its placeholders are every form's)."""
    return {
        key_of(m): "\n".join(forms_of(m))
        for m in load_catalog(lang)
        if m.id and key_of(m).startswith("plan-")
    }


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def keys_built_at_run_time() -> set[str]:
    families = {
        "plan-phase-": ["upcoming", "nominating", "reviewing", "voting", "awaiting_ceremony", "closed"],
        "plan-kind-": [*KINDS, "title", "award_form"],
        "plan-what-": ["commendation", "round", "movement", "school_year"],
        "plan-load-": ["created", "updated", "unchanged", "added", "changed", "removed"],
        "plan-subject-": list(get_args(schema.Subject)),
        "plan-decided-": list(get_args(schema.DecidedBy)),
        "plan-view-threshold-": list(get_args(schema.VoteBase)),
        "plan-deadline-": list(get_args(schema.DeadlineKind)),
        "plan-audience-": list(get_args(schema.Audience)),
        "plan-rating-": list(schema.TASK_RATINGS),
        "plan-scope-": list(schema.INITIATIVE_SCOPES),
        "plan-rule-": [kind for kind in schema.RULE_KINDS if kind != "text"],
        "plan-expect-": ["code", "count", "percent", "choice", "bool", "text"],
        "plan-offset-": ["d", "h", "m"],
        "plan-word-": ["none", "or", "and"],
    }
    return {prefix + name for prefix, names in families.items() for name in names}


def keys_written_in_the_code() -> set[str]:
    service = sorted((ROOT / "bot/services/plan").glob("*.py"))
    assert service, "the plan service's package moved: read its files here"
    files = [*(ROOT / "bot" / "plan").glob("*.py"), *service, ROOT / "handlers/plan.py"]
    files += [ROOT / "bot/cli/plan.py", ROOT / "handlers/keyboards.py"]
    found = {key for path in files for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    return {key for key in found if not key.endswith("-")} | set(_PYDANTIC_KEYS.values())


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_plan_key_the_code_uses_has_a_text(lang: str) -> None:
    texts = catalog(lang)

    missing = sorted((keys_written_in_the_code() | keys_built_at_run_time()) - set(texts))

    assert missing == []


def test_vi_and_en_plan_texts_have_the_same_placeholders() -> None:
    vi, en = catalog("vi"), catalog("en")

    assert set(vi) == set(en)
    assert [k for k in vi if placeholders(vi[k]) != placeholders(en[k])] == []


def test_a_problem_reads_in_both_languages() -> None:
    issue = PlanIssue(
        ("rounds", 2, "windows", "voting_close"), "plan-date-before", {"other": "voting_open"}, 84
    )

    assert issue.format("en") == "rounds[2].windows.voting_close: date before voting_open (line 84)"
    assert issue.format("vi") == "rounds[2].windows.voting_close: ngày trước voting_open (dòng 84)"
