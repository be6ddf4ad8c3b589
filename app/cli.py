"""Command-line tools for operators: users, organisations, keys and the demo data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import click
from flask import Blueprint

from app.extensions import db
from app.models import OpinionRun, Role, ThemeRun

Run = TypeVar("Run", ThemeRun, OpinionRun)
from app.services.accounts import users as accounts
from app.services.accounts import organisations
from app.services.accounts import passwords
from app.services.common.errors import ServiceError

bp = Blueprint("cli", __name__, cli_group=None)


def _fail(error: ServiceError) -> None:
    raise click.ClickException(error.message)


@bp.cli.group()
def users() -> None:
    """Create people and give them roles and API tokens."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PARTICIPANT.value, show_default=True)
@click.option("--org", "org", required=True, help="Organisation code or name.")
@click.option("--staff-group", default=None)
@click.option("--password", default=None,
              help="A one-time password (at least 10 characters) the person must replace at first sign-in. "
                   "Leave out to print a one-time set-password link instead.")
@click.option("--name", "display_name", default="")
def create_user(email: str, role: str, org: str, staff_group: str | None, password: str | None, display_name: str) -> None:
    """Create a person with a role in an organisation; nobody but them ever knows a password that keeps working."""
    try:
        organisation = accounts.find_organisation(org)
        user = accounts.create_user(
            email, organisation=organisation, role=role, staff_group=staff_group, password=password,
            display_name=display_name, one_time=True,
        )
        link = None if password else passwords.issue_link(user)
    except ServiceError as error:
        _fail(error)
    click.echo(f"Created {user.email} as {role} in {organisation.name}.")
    if link:
        click.echo(f"Their one-time set-password link (shown once, valid {passwords.LINK_DAYS} days), "
                   f"after this site's address: /auth/set-password/{link}")
    else:
        click.echo("The password works once: they must choose their own at first sign-in.")


@users.command("set-role")
@click.option("--email", required=True)
@click.option("--org", "org", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--staff-group", default=None)
def set_role(email: str, org: str, role: str, staff_group: str | None) -> None:
    """Give a person a role (and staff group) in an organisation."""
    try:
        accounts.set_membership(accounts.user_by_email(email), accounts.find_organisation(org), role, staff_group)
    except ServiceError as error:
        _fail(error)
    click.echo(f"{email} is now {role} in {org}.")


@users.command("token")
@click.option("--email", required=True)
@click.option("--name", default="API token")
def token(email: str, name: str) -> None:
    """Print a new personal API token (shown once; only its hash is stored)."""
    try:
        click.echo(accounts.create_api_token(accounts.user_by_email(email), name))
    except ServiceError as error:
        _fail(error)


@bp.cli.group()
def orgs() -> None:
    """Partnerships, organisations and staff groups."""


@orgs.command("create")
@click.option("--name", required=True)
@click.option("--code", required=True)
@click.option("--partnership", default=None, help="Name of a partnership; created if new.")
def create_org(name: str, code: str, partnership: str | None) -> None:
    """Create an organisation, optionally in a partnership."""
    try:
        partnership_id = None
        if partnership:
            existing = {p.name.lower(): p for p in organisations.all_partnerships()}
            found = existing.get(partnership.lower()) or organisations.create_partnership(partnership)
            partnership_id = found.id
        org = organisations.create_organisation(name, code, partnership_id)
    except ServiceError as error:
        _fail(error)
    click.echo(f"Created {org.name} ({org.code}).")


@orgs.command("add-group")
@click.option("--org", "org", required=True)
@click.option("--name", required=True)
def add_group(org: str, name: str) -> None:
    """Add a staff group to an organisation."""
    try:
        group = organisations.add_staff_group(accounts.find_organisation(org), name)
    except ServiceError as error:
        _fail(error)
    click.echo(f"Added {group.name}.")


@orgs.command("list")
def list_orgs() -> None:
    """List organisations with their staff groups."""
    for org in organisations.all_organisations():
        partnership = f" [{org.partnership.name}]" if org.partnership else ""
        groups = ", ".join(g.name for g in org.staff_groups) or "no staff groups"
        click.echo(f"{org.code}\t{org.name}{partnership}: {groups}")


@bp.cli.group()
def keys() -> None:
    """Pseudonym keys: status, rotation of the master key, and destroying expired conversation keys."""


@keys.command("shred-expired")
def shred_expired() -> None:
    """Close conversations past their closing date and destroy keys past the grace period."""
    from app.services.conversations.lifecycle import close_due_conversations
    from app.services.common.keys import shred_expired_keys

    closed = close_due_conversations()
    shredded = shred_expired_keys()
    click.echo(f"Closed {len(closed)} conversation(s); destroyed the keys of {len(shredded)}.")


@keys.command("status")
def key_status() -> None:
    """Where the key material is, how many conversation keys each master key and key epoch protects."""
    from flask import current_app

    from app.services.common.keys import epoch_status, key_status as status, keyring

    click.echo(f"Key directory (key epochs; back it up apart from the database): {current_app.config['CHORUS_KEY_DIR_IN_USE']}")
    click.echo(f"Current master key fingerprint: {keyring().fingerprint}")
    for name, count in sorted(status().items()):
        click.echo(f"{name}\t{count}")
    for epoch, state, live in epoch_status():
        click.echo(f"epoch {epoch}\t{state}\t{live} live key(s)")


@keys.command("where")
def key_where() -> None:
    """Print the key directory, so the operator knows what to protect and back up apart from the database."""
    from flask import current_app

    click.echo(f"Chorus keeps its pseudonym key material in {current_app.config['CHORUS_KEY_DIR_IN_USE']} "
               "(outside the database folder). Back it up apart from the database; see docs/operations.md.")


@keys.command("new-epoch")
def new_epoch() -> None:
    """Start a new key epoch, re-wrap every live key under it and destroy the old epoch (no conversation shredded)."""
    from app.services.common.keys import shred_keys

    try:
        shred_keys([])
    except ServiceError as error:
        _fail(error)
    click.echo("Started a new key epoch and destroyed the old one.")


@keys.command("rotate")
@click.option("--new-key-file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="File holding the new master key (at least 32 bytes).")
def rotate(new_key_file: str) -> None:
    """Re-wrap every live conversation key under a new master key (run with the current key loaded)."""
    from app.crypto import MIN_MASTER_KEY_BYTES
    from app.services.common.keys import rotate_master_key

    with open(new_key_file, encoding="utf-8") as handle:
        new_master = handle.read().strip().encode()
    if len(new_master) < MIN_MASTER_KEY_BYTES:
        raise click.ClickException(f"The new key must be at least {MIN_MASTER_KEY_BYTES} bytes long.")
    try:
        count = rotate_master_key(new_master)
    except ServiceError as error:
        _fail(error)
        return
    click.echo(f"Re-wrapped {count} conversation key(s). Now restart every process with the new key.")


@bp.cli.command("seed-demo")
@click.option("--ideas", type=int, default=None, help="How many ideas to post (default: all 436 demo ideas).")
def seed_demo(ideas: int | None) -> None:
    """Load a demo partnership, staff, and an open conversation, then print the logins."""
    from app.seed import seed

    logins = seed(idea_count=ideas)
    if logins is None:
        click.echo("The demo organisation already exists; nothing was added.")
        from app.seed import print_logins

        print_logins(click.echo)
        return
    from app.seed import print_logins

    print_logins(click.echo)
    db.session.remove()


def _run_from_cli(
    conversation_id: int, wait: bool, request: Callable[..., Run], execute: Callable[[int], None], model: type[Run],
    what: str,
) -> Run:
    """Request a run for the CLI; with wait, compute it in this process. Returns the run as stored after."""
    from flask import current_app

    if wait:
        current_app.config["CHORUS_JOBS"] = "inline"
    try:
        run = request(conversation_id, trigger="cli")
    except ServiceError as error:
        _fail(error)
    if wait and run.status == "queued":
        execute(run.id)
    db.session.expire_all()
    run = db.session.get_one(model, run.id)
    if run.status == "failed":
        raise click.ClickException(run.error or f"The {what} run failed.")
    return run


@bp.cli.group()
def themes() -> None:
    """Theme runs for conversations."""


@themes.command("run")
@click.argument("conversation_id", type=int)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Run here and now instead of queueing.")
def themes_run(conversation_id: int, wait: bool) -> None:
    """Group a conversation's ideas into themes."""
    from app.models import ThemeRun
    from app.services.themes.runs import execute_theme_run, request_theme_run

    run = _run_from_cli(conversation_id, wait, request_theme_run, execute_theme_run, ThemeRun, "theme")
    if run.status == "succeeded":
        click.echo(f"Run {run.id}: {run.theme_count} themes from {run.idea_count} ideas "
                   f"({run.unthemed_count} unthemed), backend {run.backend}.")
    else:
        click.echo(f"Run {run.id} is {run.status}.")


@bp.cli.group()
def opinions() -> None:
    """Opinion-group runs for agree/disagree conversations."""


@opinions.command("run")
@click.argument("conversation_id", type=int)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Run here and now instead of queueing.")
def opinions_run(conversation_id: int, wait: bool) -> None:
    """Work out a conversation's opinion groups from its votes."""
    from app.models import OpinionRun
    from app.services.opinions.runs import execute_opinion_run, request_opinion_run

    run = _run_from_cli(conversation_id, wait, request_opinion_run, execute_opinion_run, OpinionRun, "opinion-group")
    if run.status == "succeeded":
        click.echo(f"Run {run.id}: {len(run.groups)} opinion groups from {run.grouped} of {run.voters} voters "
                   f"on {run.ideas_voted} ideas.")
    else:
        click.echo(f"Run {run.id} is {run.status} (another run was already queued or running).")


@bp.cli.group()
def participation() -> None:
    """Participation figures (the hourly batch)."""


@participation.command("refresh")
@click.option("--conversation", "conversation_id", type=int, default=None, help="Only this conversation.")
def participation_refresh(conversation_id: int | None) -> None:
    """Work out this hour's figures here and now for conversations not yet counted this hour."""
    from app.services.conversations.participation_batch import due_conversations, snapshot_job

    due = due_conversations()
    if conversation_id is not None:
        due = [c for c in due if c == conversation_id]
    for due_id in due:  # at most once an hour each, like the scheduler, so runs cannot bracket one post
        snapshot_job(due_id)
    click.echo(f"Participation figures worked out for {len(due)} conversation(s).")


@bp.cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests and cron).")
@click.option("--no-scheduler", is_flag=True, help="Do not run the once-a-minute scheduled work here.")
def worker(burst: bool, no_scheduler: bool) -> None:
    """Run an RQ worker for background jobs (needs REDIS_URL), with the scheduler tick."""
    from flask import current_app
    from redis import Redis
    from rq import SimpleWorker

    from app.jobs import queue, queue_name, real_app
    from app.jobs.scheduler import start_ticker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set. Without Redis, background jobs run inside the web process.")
    if not no_scheduler and not burst:
        start_ticker(real_app())
    # SimpleWorker runs jobs in this process, inside the app context the CLI provides. RQ logs each job's
    # description and id with a time at INFO; the app's private log handler (app/logs.py) is already on the
    # "rq" logger, so RQ adds none of its own, and WARNING keeps only failures (rule A7).
    import time

    from redis import RedisError

    delay = 1.0
    while True:
        try:
            SimpleWorker([queue(url)], connection=Redis.from_url(url), name=None).work(
                burst=burst, with_scheduler=False, logging_level="WARNING")
            break
        except RedisError:
            # Redis away: RQ gives up; this worker waits and starts again, so work resumes when Redis is back
            # (jobs recorded meanwhile wait in the outbox; the scheduler tick queues them).
            if burst:
                raise
            logging.getLogger("chorus.jobs").warning("worker lost Redis; starting again when it is back")
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
    click.echo(f"Worker for queue {queue_name()} stopped.")
