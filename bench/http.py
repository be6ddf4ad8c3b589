"""The production layout under load in one command: writes and pages, each beside a bare Flask baseline, with ratios.

Starts a private PostgreSQL cluster (initdb, fsync on, as in production) and a private redis-server on free local
ports, unless --postgresql / --redis name servers to use, then runs, one after the other:

* writes (bench/http_load.py): gunicorn (gevent x2, the production gunicorn.conf.py) serving Chorus and the same
  gunicorn serving a bare Flask endpoint doing the same INSERT ... ON CONFLICT; N clients vote and comment on one
  conversation; ok/s, p95, errors, lost and duplicate writes, and the ratio to the bare endpoint;
* pages (bench/http_pages.py): the question page (20 ideas of 6,000, every sort, fair random included) and the API
  idea list against a bare page of 20 rows through Jinja; req/s, p95, errors, statements per request.

Each part starts its own gunicorn processes on free ports and stops them whatever happens; the private servers are
stopped and deleted at the end. Options after the part's name go to that part's script, e.g.

    .venv/bin/python bench/http.py                                  # both parts with their defaults
    .venv/bin/python bench/http.py writes --clients 50 200 --seconds 60
    .venv/bin/python bench/http.py pages --clients 50 --seconds 30
    .venv/bin/python bench/http.py pages --voting 10                 # pages read while 10 votes a second land
    .venv/bin/python bench/http.py pages --cpu --cold                # CPU per request in process, no HTTP
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name would hide the standard
# library's http package (which redis, gunicorn and the test harness import).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import subprocess
from contextlib import ExitStack

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
PARTS = {"writes": HERE / "http_load.py", "pages": HERE / "http_pages.py"}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0],
                                     epilog="Anything after the part's name is passed to its script.")
    parser.add_argument("part", nargs="?", choices=[*PARTS, "all"], default="all")
    parser.add_argument("--postgresql", metavar="URL", help="a running server's URL (its database is emptied!); "
                        "default: a private cluster on a free port")
    parser.add_argument("--redis", metavar="URL", help="a running Redis; default: a private redis-server")
    args, rest = parser.parse_known_args()
    with ExitStack() as servers:
        if args.postgresql:
            base = args.postgresql.rsplit("/", 1)[0]
        else:
            from tests.anonymity.private_pg import private_postgres

            url, _, port = servers.enter_context(private_postgres(fsync=True))
            base = url.rsplit("/", 1)[0]
            print(f"private PostgreSQL on port {port} (fsync on)", flush=True)
        if args.redis:
            redis = args.redis
        else:
            from tests.faults.harness import private_redis

            redis = servers.enter_context(private_redis())["url"]
            print(f"private Redis at {redis}", flush=True)
        status = 0
        for part in (PARTS if args.part == "all" else [args.part]):
            print(f"\n== {part} ({PARTS[part].name})", flush=True)
            database = f"{base}/chorus_bench_{part}"
            # A child process: each part starts and stops its own gunicorn servers and load generator.
            with subprocess.Popen([sys.executable, str(PARTS[part]), "--postgresql", database, "--redis", redis,
                                   *rest], cwd=ROOT, stdout=subprocess.PIPE, text=True) as child:
                assert child.stdout is not None
                lines = []
                for line in child.stdout:
                    print(line, end="", flush=True)
                    lines.append(line)
            status = max(status, child.returncode)
            summary(part, lines)
        return status


def _records(lines: list[str]) -> list[dict]:
    found = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            found.append(record)
    return found


def summary(part: str, lines: list[str]) -> None:
    """One table of Chorus against the bare baseline of the same run, from the part's JSON lines."""
    records = _records(lines)
    if part == "writes":
        runs = [r for r in records if "chorus" in r and "bare" in r]
        if runs:
            print("\n| clients | Chorus ok/s | p95 ms | errors | lost | duplicates | bare ok/s | bare p95 ms | ratio |")
            print("|---|---|---|---|---|---|---|---|---|")
        for r in runs:
            c, b = r["chorus"], r["bare"]
            print(f"| {r['clients']} | {c['ok_per_s']} | {c['p95_ms']} | {c['errors']} | {c['lost']} | "
                  f"{c['duplicates']} | {b['ok_per_s']} | {b['p95_ms']} | {r['ratio']} |")
    elif part == "pages":
        bare = next((r for r in records if r.get("target") == "bare"), None)
        pages = [r for r in records if r.get("target") == "chorus"]
        if pages and bare:
            print(f"\nbare page: {bare['ok_per_s']} req/s, p95 {bare['p95_ms']} ms")
            voting = any("votes" in r for r in pages)  # --voting: votes landed while the pages were read
            print("| route | req/s | p95 ms | errors | ratio to the bare page |" + (" votes/s, p95 ms, errors |" if voting else ""))
            print("|---|---|---|---|---|" + ("---|" if voting else ""))
            for r in pages:
                ratio = r["ok_per_s"] / bare["ok_per_s"] if bare["ok_per_s"] else 0.0
                votes = r.get("votes")
                print(f"| {r['route']} | {r['ok_per_s']} | {r['p95_ms']} | {sum(r['errors'].values())} | {ratio:.2f} |"
                      + (f" {votes['ok_per_s']}, {votes['p95_ms']}, {sum(votes['errors'].values())} |" if votes else
                         (" |" if voting else "")))


if __name__ == "__main__":
    sys.exit(main())
