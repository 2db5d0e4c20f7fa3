"""Reading a plan file: YAML text -> `PlanFile`, or a `PlanError` naming each problem's path and line.

The YAML is composed into nodes first (PyYAML's node API), so every problem, whether found by
pydantic or by the checks across values, is traced back to the line it comes from. Dates are left
as text by the YAML reader and parsed by the schema, so a wrong date is reported at its field.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.plan.messages import Listing, Phrase, is_problem_key
from bot.plan.schema import Loc, PlanError, PlanFile, PlanIssue
from bot.yaml_errors import yaml_problem

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class PlanYamlLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text (the schema parses them, with a clear message)."""


PlanYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# The plans parsed so far, by (filename, text): a plan is a pure function of the two, and the tests load the
# same few files thousands of times (the YAML reader is pure Python: 15-50 ms a file). Each caller gets a deep
# copy, so nothing it changes reaches the next one. A file with problems is read again every time.
_PARSED: OrderedDict[tuple[str, str], PlanFile] = OrderedDict()
_PARSED_KEPT = 16


def parse_plan(text: str, filename: str = "<plan>") -> PlanFile:
    """The plan in `text`; raises `PlanError` listing every problem with its path and line."""
    key = (filename, text)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = _PARSED[key] = _parse(text, filename)
        if len(_PARSED) > _PARSED_KEPT:
            _PARSED.popitem(last=False)
    else:
        _PARSED.move_to_end(key)
    return parsed.model_copy(deep=True)


def _parse(text: str, filename: str) -> PlanFile:
    root = _compose(text, filename)
    duplicates = list(_duplicate_keys(root, ()))
    if duplicates:
        raise PlanError(duplicates, filename)
    data = _construct(root, filename)
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        issues = [_issue_from_pydantic(error) for error in exc.errors()]
    except PlanError as exc:
        issues = exc.issues
    located = [locate(root, issue) for issue in issues]
    raise PlanError(sorted(located, key=lambda i: (i.line or 0, i.path)), filename)


def read_plan(path: str | Path) -> PlanFile:
    """The plan in the file at `path` (UTF-8)."""
    path = Path(path)
    return parse_plan(path.read_text(encoding="utf-8"), str(path))


# ---------------------------------------------------------------------------------------------
# YAML


def _yaml_issue(exc: yaml.YAMLError, text: str | None = None) -> PlanIssue:
    """The mistake in the reader's words, on the line where it is made (bot.yaml_errors)."""
    found = yaml_problem(exc, text)
    return PlanIssue((), "plan-yaml-invalid", {"problem": Phrase(found.key, found.params)}, found.line)


def _compose(text: str, filename: str) -> Node:
    loader = PlanYamlLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise PlanError([_yaml_issue(exc, text)], filename) from exc
    finally:
        loader.dispose()
    if root is None:
        raise PlanError([PlanIssue((), "plan-empty-file", line=1)], filename)
    return root


def _construct(root: Node, filename: str) -> Any:
    loader = PlanYamlLoader("")
    try:
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise PlanError([_yaml_issue(exc)], filename) from exc
    finally:
        loader.dispose()


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _duplicate_keys(node: Node, loc: Loc) -> Iterator[PlanIssue]:
    """Keys written twice in one mapping (PyYAML would silently keep the last)."""
    if isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, i))
    elif isinstance(node, MappingNode):
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = key_node.value
            if key in first_lines:
                params = {"key": key, "first_line": first_lines[key]}
                yield PlanIssue((*loc, key), "plan-duplicate-key", params, _line(key_node))
            else:
                first_lines[key] = _line(key_node)
            yield from _duplicate_keys(value_node, (*loc, key))


# ---------------------------------------------------------------------------------------------
# From pydantic errors and locations to issues with lines

_PYDANTIC_KEYS: dict[str, str] = {
    "missing": "plan-missing",
    "extra_forbidden": "plan-unknown-field",
    "model_type": "plan-expected-mapping",
    "model_attributes_type": "plan-expected-mapping",
    "dict_type": "plan-expected-mapping",
    "list_type": "plan-expected-list",
    "string_type": "plan-expected-text",
    "int_type": "plan-expected-integer",
    "int_parsing": "plan-expected-integer",
    "int_from_float": "plan-expected-integer",
    "decimal_type": "plan-expected-number",
    "decimal_parsing": "plan-expected-number",
    "float_type": "plan-expected-number",
    "float_parsing": "plan-expected-number",
    "bool_type": "plan-expected-bool",
    "bool_parsing": "plan-expected-bool",
    "literal_error": "plan-not-one-of",
    "string_too_short": "plan-empty-text",
    "string_too_long": "plan-too-long",
    "too_short": "plan-too-few-items",
    "greater_than": "plan-number-too-small",
    "greater_than_equal": "plan-number-too-small-eq",
    "less_than": "plan-number-too-big",
    "less_than_equal": "plan-number-too-big-eq",
}
_LIMIT_CTX = ("gt", "ge", "lt", "le")


def _issue_from_pydantic(error: ErrorDetails) -> PlanIssue:
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if is_problem_key(kind):  # raised by the schema with a key of ours
        return PlanIssue(loc, kind, dict(ctx))
    key = _PYDANTIC_KEYS.get(kind)
    if key is None:
        return PlanIssue(loc, "plan-invalid", {"detail": error["msg"]})
    params = dict(ctx)
    if kind == "literal_error" and isinstance(ctx.get("expected"), str):
        choices = re.findall(r"'([^']*)'", ctx["expected"])
        if choices:
            params["expected"] = Listing(tuple(choices), "or", quoted=True)
    for name in _LIMIT_CTX:
        if name in ctx:
            params["limit"] = ctx[name]
    return PlanIssue(loc, key, params)


def _find_key(node: MappingNode, key: str) -> tuple[Node, Node] | None:
    """The last entry for `key` (the one PyYAML keeps, merged entries included)."""
    for key_node, value_node in reversed(node.value):
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def locate(root: Node, issue: PlanIssue) -> PlanIssue:
    """`issue` with the line of the YAML its `loc` points to, and the loc as written in the file.

    Segments that are not in the file (pydantic's union tags) are dropped; a last segment that
    names a missing key is kept, with the line of the mapping that lacks it.
    """
    node: Node | None = root
    line = _line(root)
    shown: list[str | int] = []
    for position, part in enumerate(issue.loc):
        last = position == len(issue.loc) - 1
        if isinstance(node, MappingNode) and isinstance(part, str):
            found = _find_key(node, part)
            if found is not None:
                key_node, node = found
                line = _line(key_node)
                shown.append(part)
            elif last:
                shown.append(part)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = _line(node)
            shown.append(part)
        else:
            break
    return PlanIssue(tuple(shown), issue.key, issue.params, issue.line or line)


def locate_in(text: str, issue: PlanIssue) -> PlanIssue:
    """`issue` located in the YAML `text` (found valid before): used by checks made when loading."""
    try:
        root = PlanYamlLoader(text).get_single_node()
    except yaml.YAMLError:
        return issue
    return issue if root is None else locate(root, issue)
