"""The reliability suite's account of the conversations (issue 22): every StatesGroup of the handlers is gone
through, restarted at every step, by some test marked `@pytest.mark.restarts("GroupSG", ...)`. Such a test's
world restarts its bot (a new dispatcher on the same database) before every update and delivers each update
twice, and the test fails unless it reached a state of each group it names (tests/conftest.py). A new
conversation without such a test fails here."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from aiogram.fsm.state import StatesGroup

from handlers import FEATURES

TESTS = Path(__file__).resolve().parents[1]


def groups() -> dict[str, list[str]]:
    """Each StatesGroup's name (what its states are stored under) -> its states."""
    for name in FEATURES:
        importlib.import_module(f"handlers.{name}")
    found: dict[str, list[str]] = {}
    todo = list(StatesGroup.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("handlers"):
            found.setdefault(cls.__full_group_name__, []).extend(s.state for s in cls.__all_states__)
    return found


def restarted() -> dict[str, list[str]]:
    """The groups named by `restarts` markers -> the tests naming them."""
    named: dict[str, list[str]] = {}
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            for dec in node.decorator_list:
                if (
                    isinstance(dec, ast.Call)
                    and isinstance(dec.func, ast.Attribute)
                    and dec.func.attr == "restarts"
                ):
                    for arg in dec.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            named.setdefault(arg.value, []).append(f"{path.name}::{node.name}")
    return named


def test_every_conversation_is_gone_through_with_a_restart_at_every_step():
    missing = sorted(set(groups()) - set(restarted()))
    assert not missing, f"StatesGroups no `restarts` test goes through: {missing}"


def test_the_markers_name_only_real_conversations():
    unknown = sorted(set(restarted()) - set(groups()))
    assert not unknown, f"`restarts` markers naming no StatesGroup: {unknown}"


def test_no_two_conversations_store_the_same_state():
    seen: dict[str, int] = {}
    for states in groups().values():
        for state in states:
            seen[state] = seen.get(state, 0) + 1
    assert [s for s, n in seen.items() if n > 1] == []
