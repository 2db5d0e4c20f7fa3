"""`thidua` subcommands of the people feature."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    return None
