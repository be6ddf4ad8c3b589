"""Key epochs kept outside the database: random secrets in a file that crypto-shredding overwrites.

A conversation key is wrapped under the master key and one epoch secret (app/crypto.py). Shredding starts a new
epoch, re-wraps the live keys under it and then destroys the old epoch's secret here, so no copy of the database
(dump, WAL, heap page, backup) can be opened again, even with the master key (rule A6).
"""

from __future__ import annotations

import base64
import fcntl
import os
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

EPOCH_FILE = "epochs"
MASTER_FILE = "pseudonym.key"
_THREADS = threading.Lock()


class KeyStoreError(RuntimeError):
    """The key directory cannot be read or written."""


def new_epoch_id() -> str:
    """Random, so an epoch id never repeats across hosts, databases or failed attempts."""
    return secrets.token_hex(8)


class FileEpochStore:
    """Epoch secrets in `<key dir>/epochs`, one `id secret` line each; shared by every host of one deployment."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / EPOCH_FILE
        self.location = str(self.path)

    def load(self) -> dict[str, bytes]:
        """Every epoch secret in the file (none when it does not exist yet)."""
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise KeyStoreError(f"The key epochs file {self.path} cannot be read: {exc}") from exc
        epochs = {}
        for line in text.splitlines():
            if line.strip():
                epoch, _, secret = line.partition(" ")
                epochs[epoch] = base64.b64decode(secret)
        return epochs

    def add(self) -> tuple[str, bytes]:
        """Create a new epoch secret and make it durable before anything is wrapped under it."""
        epoch, secret = new_epoch_id(), secrets.token_bytes(32)
        with self._locked():
            epochs = self.load()
            epochs[epoch] = secret
            self._replace(epochs)
        return epoch, secret

    def remove(self, epochs: Iterable[str]) -> None:
        """Destroy epoch secrets: write the file without them, then overwrite the old file's bytes."""
        doomed = set(epochs)
        with self._locked():
            current = self.load()
            if doomed.isdisjoint(current):
                return
            self._replace({e: s for e, s in current.items() if e not in doomed})

    def check_writable(self) -> None:
        """Raise KeyStoreError unless shredding could write here."""
        if not os.access(self.directory, os.W_OK) or (self.path.exists() and not os.access(self.path, os.W_OK)):
            raise KeyStoreError(
                f"The key directory {self.directory} is not writable by this process, so keys cannot be destroyed. "
                "Run shredding as the Chorus user on a host where CHORUS_KEY_DIR is writable."
            )

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # lockf is a POSIX lock, honoured across hosts on NFS (lockd) and between processes, but not between the
        # threads of one process: those take the process-wide lock first.
        with _THREADS:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                handle = open(self.directory / (EPOCH_FILE + ".lock"), "a")
            except OSError as exc:
                raise KeyStoreError(f"The key directory {self.directory} is not writable: {exc}") from exc
            with handle:
                fcntl.lockf(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.lockf(handle, fcntl.LOCK_UN)

    def _replace(self, epochs: dict[str, bytes]) -> None:
        """Atomically swap in the new contents, then overwrite the old file in place so its bytes are gone too."""
        text = "".join(f"{e} {base64.b64encode(s).decode()}\n" for e, s in epochs.items())
        temporary = self.path.with_name(EPOCH_FILE + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        old = open(self.path, "r+b") if self.path.exists() else None  # noqa: SIM115 (kept open past the rename)
        try:
            os.replace(temporary, self.path)
            _fsync_directory(self.directory)
            if old is not None:
                # The old inode is unlinked but still open: overwrite its blocks so they do not keep the secrets.
                size = os.fstat(old.fileno()).st_size
                old.seek(0)
                old.write(secrets.token_bytes(size))
                old.flush()
                os.fsync(old.fileno())
        finally:
            if old is not None:
                old.close()


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class MemoryEpochStore:
    """Epochs in this process's memory, for the test suite only (TESTING without CHORUS_KEY_DIR)."""

    _shared: dict[str, bytes] = {}
    _lock = threading.Lock()
    location = "memory (tests only)"

    def load(self) -> dict[str, bytes]:
        with self._lock:
            return dict(self._shared)

    def add(self) -> tuple[str, bytes]:
        epoch, secret = new_epoch_id(), secrets.token_bytes(32)
        with self._lock:
            self._shared[epoch] = secret
        return epoch, secret

    def remove(self, epochs: Iterable[str]) -> None:
        with self._lock:
            for epoch in epochs:
                self._shared.pop(epoch, None)

    def check_writable(self) -> None:
        return None


EpochStore = FileEpochStore | MemoryEpochStore
