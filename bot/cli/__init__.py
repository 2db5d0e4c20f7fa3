"""The `thidua` command line. Each feature adds its subcommands in its own module here."""

from __future__ import annotations

import importlib

import click

SUBMODULES = ["core", "people", "plan", "admin"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """thidua: the emulation & commendation bot (thi đua – khen thưởng)."""


for _name in SUBMODULES:
    importlib.import_module(f"bot.cli.{_name}").register(main)
