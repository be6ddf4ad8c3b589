"""Import every Pol.is conversation in a folder: time, peak memory, and agreement of Chorus's groups with Pol.is's.

    .venv/bin/python bench/polis.py [/work/shared/data/polis] [--database-url postgresql+psycopg://...]

Each conversation is imported in a fresh subprocess (so peak memory is that import's own), into a fresh SQLite
file (or the given PostgreSQL database, emptied first), through the same service the CLI and the upload page use:
files checked, conversation, ideas and votes written in one transaction, then the opinion run the import queues
(jobs inline). Prints one row per conversation: statements, participants, votes, seconds to check and write,
seconds for the opinion run, peak RSS, and the adjusted Rand index (ARI) of Chorus's opinion groups against the
group ids Pol.is assigned (participants-votes.csv), over the participants both grouped.

Chorus's groups are computed here as the opinion run computes them (nlp.opinions.opinion_groups on the votes of
published ideas, groups under k folded); the run itself never stores who is in which group, so the bench matches
each stored pseudonym to a Pol.is participant by their identical voting record, in memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: its http.py would hide the standard library's http


def _one(folder: Path, database: str, key_dir: str) -> dict[str, object]:
    import sqlalchemy as sa
    from sklearn.metrics import adjusted_rand_score

    from app import create_app
    from app.extensions import db
    from app.models import ContentStatus, Idea, Vote
    from app.polis_cli import read_path
    from app.services.accounts import organisations
    from app.services.polis import importing
    from app.services.polis.files import read_export
    from nlp.opinions import matrix_from_votes, opinion_groups

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database, "CHORUS_KEY_DIR": key_dir,
                      "CHORUS_JOBS": "inline"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        org = organisations.create_organisation("Bench Trust", "B001")
        files = read_path(folder)
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        timings: dict[str, float] = {}
        real_queue = importing._queue_opinion_run

        def timed_queue(conversation_id: int) -> None:
            timings["written"] = time.perf_counter()
            real_queue(conversation_id)

        importing._queue_opinion_run = timed_queue  # type: ignore[assignment]
        started = time.perf_counter()
        done, _ = importing.import_files(org.id, files)
        finished = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conversation_id = done.conversation_id
        k = app.config["CHORUS_MIN_GROUP_SIZE"]
        # Chorus's groups, as the run computes them, with each pseudonym's record kept in memory for matching.
        rows = db.session.execute(sa.select(Vote.voter, Idea.body, Vote.value, Idea.status).join(
            Idea, Idea.id == Vote.idea_id).where(Vote.conversation_id == conversation_id)).all()
        record: dict[str, set[tuple[str, int]]] = defaultdict(set)
        for voter, body, value, _ in rows:
            record[voter].add((body, value))
        voters, statements, matrix = matrix_from_votes(
            (voter, body, float(value)) for voter, body, value, status in rows if status == ContentStatus.PUBLISHED)
        result = opinion_groups(voters, statements, matrix, seed=0, min_group_size=k)
        export = read_export(files)
        body_of = {s.polis_id: s.body for s in export.statements}
        polis_record: dict[int, set[tuple[str, int]]] = defaultdict(set)
        for (participant, statement), value in export.votes.items():
            polis_record[participant].add((body_of[statement], value))
        by_record: dict[frozenset, list[int]] = defaultdict(list)
        for participant, votes in polis_record.items():
            by_record[frozenset(votes)].append(participant)
        pairs = []
        for voter, group in result.group_of.items():
            candidates = by_record.get(frozenset(record[voter]))
            if not candidates:
                continue
            participant = candidates.pop()  # identical records: Chorus puts them in one group, so any will do
            if participant in export.polis_group_of:
                pairs.append((group, export.polis_group_of[participant]))
        ari = adjusted_rand_score([p[1] for p in pairs], [p[0] for p in pairs]) if pairs else float("nan")
        return {"conversation": folder.name, "statements": len(export.statements),
                "participants": export.participants, "votes": len(export.votes),
                "import_s": round(timings.get("written", finished) - started, 2),
                "opinion_run_s": round(finished - timings.get("written", finished), 2),
                "peak_rss_mb": round(peak / 1024), "rss_before_mb": round(baseline / 1024),
                "chorus_groups": sorted(Counter(result.group_of.values()).values(), reverse=True),
                "polis_groups": sorted(Counter(export.polis_group_of.values()).values(), reverse=True),
                "compared": len(pairs), "ari": round(float(ari), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default="/work/shared/data/polis")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (emptied!); default: a new SQLite file")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        database, key_dir = args.database_url, args.one.split("|", 1)[1]
        print(json.dumps(_one(Path(args.one.split("|", 1)[0]), database, key_dir)))
        return
    folders = sorted(p for p in Path(args.folder).iterdir() if (p / "comments.csv").exists())
    header = ("conversation", "statements", "participants", "votes", "import_s", "opinion_run_s", "peak_rss_mb",
              "rss_before_mb", "chorus_groups", "polis_groups", "compared", "ari")
    print("\t".join(header))
    for folder in folders:
        with tempfile.TemporaryDirectory() as tmp:
            database = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
            out = subprocess.run([sys.executable, __file__, "--one", f"{folder}|{tmp}/keys", "--database-url", database],
                                 capture_output=True, text=True, check=True, timeout=600)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print("\t".join(str(row[h]) for h in header), flush=True)


if __name__ == "__main__":
    main()
