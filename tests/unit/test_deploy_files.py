"""The Dockerfile, compose.yaml and the systemd unit, checked statically (issue 22): no image can be pulled
here, so they are read as text. They parse; the commands are `thidua run` and `thidua migrate`; every
variable they set is a setting .env.example documents; nothing runs as root."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import yaml

from bot.config import Settings, listen_address

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {name.upper() for name in Settings.model_fields}
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}  # compose's own, named in .env.example's comments


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z_]+)=", text, flags=re.M))


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_the_dockerfile_is_slim_non_root_and_runs_thidua():
    steps = dockerfile()
    words = [w for w, _ in steps]
    assert set(words) <= {
        "FROM",
        "ENV",
        "WORKDIR",
        "COPY",
        "RUN",
        "USER",
        "VOLUME",
        "EXPOSE",
        "HEALTHCHECK",
        "STOPSIGNAL",
        "CMD",
        "ARG",
        "LABEL",
    }
    assert words[0] == "FROM" and re.fullmatch(r"python:3\.1[1-9]-slim", steps[0][1])
    user = [a for w, a in steps if w == "USER"]
    assert user and user[-1] not in ("root", "0") and words.index("USER") < words.index("CMD")
    assert json.loads(dict(steps)["CMD"]) == ["thidua", "run"]  # it migrates at start, then runs
    for word, args in steps:
        if word == "COPY":
            for source in shlex.split(args)[:-1]:
                assert (ROOT / source).exists(), source


def test_the_dockerfile_sets_only_documented_settings_and_exposes_their_ports():
    steps = dockerfile()
    env = dict(pair.split("=", 1) for w, a in steps if w == "ENV" for pair in shlex.split(a) if "=" in pair)
    ours = {k: v for k, v in env.items() if not k.startswith(("PYTHON", "PIP_"))}
    assert set(ours) <= SETTINGS & env_example()
    Settings(_env_file=None, **{k.lower(): v for k, v in ours.items()})  # type: ignore[arg-type]
    exposed = {int(p) for w, a in steps if w == "EXPOSE" for p in a.split()}
    assert {listen_address(ours["WEBHOOK_LISTEN"])[1], listen_address(ours["METRICS_LISTEN"])[1]} == exposed
    assert "pip install" in " ".join(a for w, a in steps if w == "RUN")


def test_compose_runs_the_bot_postgres_redis_and_a_one_shot_migration():
    c = compose()
    services = c["services"]
    assert set(services) == {"bot", "postgres", "redis", "migrate"}
    assert services["migrate"]["command"] == ["thidua", "migrate"] and services["migrate"]["restart"] == "no"
    assert services["bot"]["command"] == ["thidua", "run"]
    assert services["bot"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["bot"]["image"] == services["migrate"]["image"]  # one build for both


def test_compose_sets_only_documented_settings_pointing_at_its_own_services():
    services = compose()["services"]
    for name in ("bot", "migrate"):
        env = services[name]["environment"]
        assert set(env) <= SETTINGS & env_example(), name
        assert (
            env["DATABASE_URL"].startswith("postgresql+asyncpg://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["env_file"] == ".env"
    variables = set(re.findall(r"\$\{(\w+)", (ROOT / "compose.yaml").read_text(encoding="utf-8")))
    assert variables <= (SETTINGS | COMPOSE_ONLY) & env_example()
    bot = services["bot"]
    published = {p.rsplit(":", 1)[1] for p in bot["ports"]}
    assert published == {
        str(listen_address(bot["environment"]["WEBHOOK_LISTEN"])[1]),
        str(listen_address(bot["environment"]["METRICS_LISTEN"])[1]),
    }
    assert all(p.startswith("127.0.0.1:") for p in bot["ports"]), "only the proxy and monitoring reach them"


def test_the_systemd_unit_runs_thidua_as_its_own_user():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "docs" / "thidua.service", encoding="utf-8")
    service = unit["Service"]
    assert shlex.split(service["ExecStart"])[1:] == ["run"]
    assert shlex.split(service["ExecStart"])[0].endswith("/thidua")
    assert shlex.split(service["ExecStartPre"])[1:] == ["migrate"]
    assert service["User"] not in ("root", "0") and service["KillSignal"] == "SIGTERM"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def suite_variables() -> set[str]:
    """The variables the test suite reads (its long runs), named in the guide's section 9."""
    found: set[str] = set()
    for path in (ROOT / "tests").rglob("*.py"):
        found |= set(
            re.findall(r"environ(?:\.get\(|\[)\"(THIDUA_[A-Z_]+)\"", path.read_text(encoding="utf-8"))
        )
    return found


def test_the_operations_guides_name_real_commands_and_settings():
    from bot.cli import main

    planned: set[str] = set()  # settings named as not built yet
    for lang in ("vi", "en"):
        text = (ROOT / "docs" / f"guide-operations.{lang}.md").read_text(encoding="utf-8")
        for command in set(re.findall(r"\bthidua (?:--\w+ )?([a-z]+)\b", text)) - {
            "thidua"
        }:  # pg_dump -U thidua thidua
            assert command in main.commands, (lang, command)
        named = set(re.findall(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", text))
        known = SETTINGS | COMPOSE_ONLY | planned | suite_variables()
        assert named <= known, (lang, named - known)
        for must in (
            "thidua run --webhook",
            "thidua run --polling",
            "thidua backup",
            "thidua restore",
            "docker compose up",
            "pg_dump",
            "/healthz",
            "/metrics",
            "VOTE_SECRET",
            "nginx",
            "Caddy",
        ):
            assert must in text, (lang, must)
    guides = (ROOT / "docs" / "guides.md").read_text(encoding="utf-8")
    assert "guide-operations.vi.md" in guides and "guide-operations.en.md" in guides
