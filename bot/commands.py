"""The command registry: /help and each person's menu come from it. Features register their own."""

from __future__ import annotations

from dataclasses import dataclass

from bot.roles import Member, can


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str  # without the slash
    action: str | None  # None: for everyone, linked or not
    help_key: str  # catalogue key of the one-line description
    order: int = 100


COMMANDS: dict[str, CommandSpec] = {}


def register_command(name: str, action: str | None, help_key: str, order: int = 100) -> None:
    COMMANDS[name] = CommandSpec(name, action, help_key, order)


def commands_for(member: Member | None) -> list[CommandSpec]:
    """The commands this person may use, in menu order."""
    specs = sorted(COMMANDS.values(), key=lambda c: (c.order, c.name))
    if member is None:
        return [c for c in specs if c.action is None]
    return [c for c in specs if c.action is None or can(member, c.action)]


register_command("start", None, "cmd-start", order=0)
register_command("help", None, "cmd-help", order=1)
register_command("lang", "lang", "cmd-lang", order=90)
register_command("cancel", "cancel", "cmd-cancel", order=91)
