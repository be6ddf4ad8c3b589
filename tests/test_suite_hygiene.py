"""The suite never bets on the machine's speed (issue #17.9): a static audit of every test module.

A wait that gives up after a few seconds fails on a busy machine; a subprocess whose output goes to a PIPE that
nobody reads can block when the pipe fills. Waits must be on events with generous bounds (a minute or more; the
browser tests' bound is WAIT_MS), and long-running processes write their output to a file.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
MIN_SECONDS = 60
# `timeout=5`, `.join(5)`, `deadline = time.monotonic() + 15`, `get(timeout=1)`: a literal bound on a wait.
TIMEOUT = re.compile(r"\btimeout\s*=\s*([0-9_.]+)")
DEADLINE = re.compile(r"(?:monotonic|time)\(\)\s*\+\s*([0-9_.]+)")
JOIN = re.compile(r"\.join\(\s*([0-9_.]+)\s*\)")
POPEN_PIPE = re.compile(r"Popen\((?:[^()]|\([^()]*\))*stdout\s*=\s*subprocess\.PIPE", re.S)


def _modules() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if path.name != Path(__file__).name)


def test_no_wait_in_the_suite_is_short_enough_to_fail_on_a_busy_machine() -> None:
    short: list[str] = []
    for path in _modules():
        text = path.read_text()
        browser = "browser" in path.parts  # Playwright counts milliseconds
        for pattern in (TIMEOUT, DEADLINE, JOIN):
            for match in pattern.finditer(text):
                seconds = float(match.group(1).replace("_", "")) / (1000 if browser and pattern is TIMEOUT else 1)
                if seconds < MIN_SECONDS:
                    line = text.count("\n", 0, match.start()) + 1
                    short.append(f"{path.relative_to(TESTS)}:{line}: {match.group(0)}")
    assert not short, "waits bounded by less than a minute:\n" + "\n".join(short)


def test_no_long_running_subprocess_writes_to_an_unread_pipe() -> None:
    piped = [str(path.relative_to(TESTS)) for path in _modules() if POPEN_PIPE.search(path.read_text())]
    assert not piped, f"Popen(stdout=PIPE) can block the child when nobody reads it; write to a file: {piped}"
