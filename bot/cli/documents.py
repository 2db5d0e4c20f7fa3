"""`thidua documents templates -o DIR` (issue 21): the shipped Word templates written for the secretary to
edit; the bot uses a file of DIR (DOCUMENT_TEMPLATES_DIR) in place of the shipped one of the same kind."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import say


def register(main: click.Group) -> None:
    main.add_command(documents)


@click.group("documents")
def documents() -> None:
    """The Word templates of the documents."""


@documents.command("templates")
@click.option("-o", "--out", "folder", type=click.Path(file_okay=False, path_type=Path), required=True)
def templates(folder: Path) -> None:
    """Write the shipped templates (<kind>.docx) into FOLDER."""
    from bot.exports.word import write_templates

    for path in write_templates(folder):
        click.echo(say("cli-documents-template-written", path=str(path)))
