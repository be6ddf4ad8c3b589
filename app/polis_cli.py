"""Command-line Pol.is import and export: `flask polis import PATH --org CODE`, `flask polis export ID PATH`."""

from __future__ import annotations

import pathlib

import click
from flask import Blueprint, current_app

from app.extensions import db
from app.models import Conversation
from app.services.accounts.users import find_organisation
from app.services.common.errors import ServiceError
from app.services.polis.files import KNOWN, PolisFileErrors, files_from_zip

bp = Blueprint("polis_cli", __name__, cli_group="polis")


def read_path(path: pathlib.Path) -> dict[str, bytes]:
    """The export files in a folder, or in a zip file."""
    if path.is_dir():
        return {p.name.lower(): p.read_bytes() for p in path.iterdir() if p.name.lower() in KNOWN and p.is_file()}
    if path.suffix.lower() == ".zip":
        return files_from_zip(path.read_bytes())
    raise click.ClickException("PATH must be the folder of a Pol.is export or a zip of its files.")


@bp.cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=pathlib.Path))
@click.option("--org", "org", required=True, help="Organisation code or name.")
def import_command(path: pathlib.Path, org: str) -> None:
    """Import a Pol.is conversation (a folder or zip of its export files) as a draft agree/disagree conversation."""
    from app.services.polis.importing import import_files

    if current_app.config.get("CHORUS_JOBS") == "thread":
        # A command ends before a background thread would: work out the opinion groups before returning.
        current_app.config["CHORUS_JOBS"] = "inline"
    try:
        organisation = find_organisation(org)
        done, imported = import_files(organisation.id, read_path(path))
    except PolisFileErrors as error:
        raise click.ClickException(error.message + "\n" + "\n".join(error.errors)) from None
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    counts = done.counts
    verb = "Imported" if imported else "Already imported (nothing changed):"
    click.echo(f"{verb} conversation {done.conversation_id}: {counts['statements']} statements "
               f"({counts['hidden_statements']} hidden), {counts['participants']} participants, "
               f"{counts['votes']} votes.")


@bp.cli.command("export")
@click.argument("conversation_id", type=int)
@click.argument("path", type=click.Path(path_type=pathlib.Path))
def export_command(conversation_id: int, path: pathlib.Path) -> None:
    """Export an agree/disagree conversation in Pol.is's layout: to a folder, or to a file ending .zip."""
    from app.services.polis.exporting import export_files, export_zip

    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise click.ClickException(f"There is no conversation {conversation_id}.")
    try:
        if path.suffix.lower() == ".zip":
            path.write_bytes(export_zip(conversation))
        else:
            path.mkdir(parents=True, exist_ok=True)
            for name, data in export_files(conversation).items():
                (path / name).write_bytes(data)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Exported conversation {conversation_id} to {path}.")
