"""Board report (issue #13) at scale: time to build the report model and to write the .docx, goal < 10 s at 6,000 ideas.

Builds one themed conversation per size in a temporary SQLite file (bench/_bigconv.py, 20 themes, 2 votes per
idea), gives its ideas staff-style texts, theme snapshots with quotes, the framework mapping (the theme run's
step, not timed here: bench/framework_app.py), a participation batch and outcomes for a few themes; then times
`board_report` (every query the report needs) and `to_docx` (python-docx with three Pillow charts), each run
`--repeat` times, and prints the median, the size of the file and the peak memory of the process.

Run: `.venv/bin/python bench/report.py --sizes 6000`
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # bench/http.py would hide http
sys.path.insert(0, str(HERE.parent))

import sqlalchemy as sa  # noqa: E402

from bench._bigconv import app_for, build  # noqa: E402
from bench.framework_app import _realistic, _snapshots  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Conversation, Theme, ThemeAssignment, ThemeSnapshot  # noqa: E402


def _prepare(conversation: Conversation) -> None:
    from app.services.conversations.participation_batch import refresh_snapshot
    from app.services.frameworks.mapping import map_conversation
    from app.services.triage import outcomes

    _realistic(conversation)
    _snapshots(conversation)
    for snap in db.session.scalars(sa.select(ThemeSnapshot)):
        snap.quote_ids = list(db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
            ThemeAssignment.theme_id == snap.theme_id).limit(3)))
    db.session.commit()
    map_conversation(conversation)
    db.session.commit()
    refresh_snapshot(conversation.id)
    db.session.commit()
    for theme in db.session.scalars(sa.select(Theme).limit(5)).all():
        outcomes.publish_outcome(theme, "You told us this matters", "We will act on it", "Estates team",
                                 date(2027, 4, 1))


def measure(size: int, repeat: int) -> dict[str, float]:
    from app.services.reports import model, word

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build(path, size)
        app = app_for(path)
        with app.app_context():
            conversation = db.session.scalars(sa.select(Conversation)).one()
            _prepare(conversation)
            lead_orgs = frozenset({conversation.organisation_id})
            model_s, docx_s, total_s = [], [], []
            for _ in range(repeat):
                db.session.expire_all()
                started = time.perf_counter()
                report = model.board_report(lead_orgs, conversation.id)
                built = time.perf_counter()
                data = word.to_docx(report)
                done = time.perf_counter()
                model_s.append(built - started)
                docx_s.append(done - built)
                total_s.append(done - started)
            db.session.remove()
            db.engine.dispose()
    return {"ideas": size, "themes": len(report.themes), "mapped": float(report.mapped),
            "model_s": statistics.median(model_s), "docx_s": statistics.median(docx_s),
            "total_s": statistics.median(total_s), "worst_s": max(total_s), "kb": len(data) / 1024,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[6000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    measure(50, 1)  # warm-up: imports, scikit-learn, the People Promise file and Pillow's font, not counted
    print("ideas | themes | elements mapped | report model (s) | .docx (s) | total, median (s) | total, worst (s) | "
          ".docx size (KB) | peak memory (MB)")
    for size in args.sizes:
        r = measure(size, args.repeat)
        print(f"{r['ideas']:,} | {r['themes']:.0f} | {'yes' if r['mapped'] else 'no'} | {r['model_s']:.2f} | "
              f"{r['docx_s']:.2f} | {r['total_s']:.2f} | {r['worst_s']:.2f} | {r['kb']:.0f} | {r['rss_mb']:.0f}")


if __name__ == "__main__":
    main()
