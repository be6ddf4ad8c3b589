"""A throwaway PostgreSQL cluster for attacks that read data files and WAL; never the shared server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def private_postgres(*, fsync: bool = False) -> Iterator[tuple[str, Path, int]]:
    """Start a cluster on a free port in a temp directory; yield (URL, data directory, port); stop and delete it.

    Tests run it without fsync (nothing there needs to survive a power cut); bench/http.py keeps fsync on, as
    production does, so commits cost what they cost there."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("initdb and pg_ctl are needed for a private PostgreSQL cluster")
    # PostgreSQL refuses to run as root: run the server as the postgres user, and read its files as ourselves.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="chorus-pg-"))
    data, port = root / "data", _free_port()
    if as_user:
        shutil.chown(root, user="postgres", group="postgres")
    started = False
    try:
        subprocess.run([*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync"],
                       check=True, capture_output=True, timeout=120)
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync={'on' if fsync else 'off'}"
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w",
                        "-t", "120", "start"], check=True, capture_output=True, timeout=150)
        started = True
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "chorus"],
                       check=True, capture_output=True, timeout=60)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/chorus", data, port
    finally:
        if started:
            subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "-w", "-t", "120", "stop"],
                           capture_output=True, timeout=150)
        shutil.rmtree(root, ignore_errors=True)
