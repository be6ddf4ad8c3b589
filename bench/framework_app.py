"""App side of framework mapping: the theme run's mapping step, the framework view and the export, at scale.

Builds one themed conversation per size in a temporary SQLite file (bench/_bigconv.py), then times
`map_conversation` (the run's background step, lexicon method), `framework_view` (the page's read service,
with its statement count) and the theme/idea CSV export with the new element column. Quality of the mapping
itself is bench/frameworks.py (nlp).

Run: `.venv/bin/python bench/framework_app.py --sizes 2000 10000`
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # bench/http.py would hide http
sys.path.insert(0, str(HERE.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench._bigconv import app_for, build  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Conversation, Idea, IdeaElement, Theme, ThemeAssignment, ThemeElement, ThemeSnapshot  # noqa: E402


SAMPLE = HERE / "data" / "people_promise" / "ideas.csv"  # real staff-style ideas (bench/frameworks.py labels them)


def _realistic(conversation: Conversation) -> None:
    """_bigconv's bodies are random topic words; give the ideas staff-style texts from the labelled sample instead."""
    import csv

    with SAMPLE.open(newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    ids = db.session.scalars(sa.select(Idea.id).where(Idea.conversation_id == conversation.id).order_by(Idea.id)).all()
    db.session.execute(sa.update(Idea), [{"id": i, "body": f"{texts[n % len(texts)]} ({n})"} for n, i in enumerate(ids)])
    db.session.commit()


def _snapshots(conversation: Conversation) -> None:
    """_bigconv writes assignments only; the view reads each theme's snapshot too."""
    sizes = dict(db.session.execute(sa.select(ThemeAssignment.theme_id, sa.func.count()).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id.is_not(None))
        .group_by(ThemeAssignment.theme_id)).all())
    for theme in db.session.scalars(sa.select(Theme)):
        db.session.add(ThemeSnapshot(run_id=conversation.current_theme_run_id, theme_id=theme.id, label=theme.label,
                                     size=sizes.get(theme.id, 0)))
    db.session.commit()


def measure(size: int) -> dict[str, float]:
    from app.services.frameworks.mapping import map_conversation
    from app.services.frameworks.view import framework_view
    from app.services.triage import exports

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build(path, size)
        app = app_for(path)
        with app.app_context():
            conversation = db.session.scalars(sa.select(Conversation)).one()
            _realistic(conversation)
            _snapshots(conversation)
            started = time.perf_counter()
            map_conversation(conversation)
            db.session.commit()
            mapping_s = time.perf_counter() - started
            idea_rows = db.session.scalar(sa.select(sa.func.count()).select_from(IdeaElement)) or 0
            theme_rows = db.session.scalar(sa.select(sa.func.count()).select_from(ThemeElement)) or 0
            statements = []
            listener = lambda *args: statements.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            db.session.expire_all()
            started = time.perf_counter()
            view = framework_view(conversation.id)
            view_s = time.perf_counter() - started
            event.remove(db.engine, "before_cursor_execute", listener)
            lead_orgs = frozenset({conversation.organisation_id})
            started = time.perf_counter()
            data = exports.export_data(lead_orgs, conversation.id)
            rows = sum(1 for _ in exports.iter_csv(exports.IDEA_COLUMNS, data.ideas))
            export_s = time.perf_counter() - started
            mapped = sum(1 for e in view.elements if e.ideas)
            db.session.remove()
            db.engine.dispose()
    return {"ideas": size, "mapping_s": mapping_s, "idea_mappings": idea_rows, "theme_mappings": theme_rows,
            "elements_used": mapped, "unmapped": view.unmapped_ideas, "view_s": view_s,
            "view_statements": len(statements), "export_s": export_s, "export_chunks": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    args = parser.parse_args()
    print("ideas | mapping step (s) | idea mappings | theme mappings | elements used | unmapped | view (s) | "
          "view statements | idea CSV export (s)")
    measure(50)  # warm-up: imports, scikit-learn and the People Promise file, not counted
    for size in args.sizes:
        r = measure(size)
        print(f"{r['ideas']:,} | {r['mapping_s']:.2f} | {r['idea_mappings']:,} | {r['theme_mappings']:,} | "
              f"{r['elements_used']} | {r['unmapped']:,} | {r['view_s']:.2f} | {r['view_statements']} | "
              f"{r['export_s']:.2f}")


if __name__ == "__main__":
    main()
