"""The `thidua` command line. Each feature adds its subcommands in its own module here.

Nothing here imports aiogram at start: only `run` and `console` (which talk to Telegram, or fake it) do,
inside the command. The operator's messages are catalogue texts (bot/locales/<lang>/cli.po and the
features' own), in the language of `--lang`, else the installation's default (Vietnamese).
"""

from __future__ import annotations

import importlib

import click

SUBMODULES = ["core", "people", "plan", "admin", "voting", "ops", "exports", "documents"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default=None,
    help="Language of the messages (default: DEFAULT_LOCALE, else vi).",
)
def main(lang: str | None) -> None:
    """thidua: the emulation & commendation bot (thi đua – khen thưởng)."""
    from bot.cli.common import cli_locale
    from bot.i18n import use_locale

    # Texts read without a locale follow the operator's too; reset when the command ends.
    click.get_current_context().with_resource(use_locale(cli_locale(lang)))


for _name in SUBMODULES:
    importlib.import_module(f"bot.cli.{_name}").register(main)
