"""EXPLAIN ANALYZE of a sorted list's ordering statement: main's per-page query (per-idea correlated counts, as
`cards.row_query()` sorted it) against the question's whole order (`content/orders.py`), on a database seeded by
bench/http_pages.py (its largest question).

    .venv/bin/python bench/order_explain.py postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_pages
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and bench/http.py would hide the standard library's http.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import ContentStatus, Idea  # noqa: E402
from app.services.content.cards import row_query  # noqa: E402
from app.services.content.orders import _order  # noqa: E402


def best_of(connection: sa.Connection, statement: sa.Select, parameters: dict, runs: int = 5) -> tuple[float, list[str]]:
    compiled = statement.compile(dialect=connection.dialect)
    best, plan = float("inf"), []
    for _ in range(runs):
        plan = list(connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + str(compiled),
                                               compiled.construct_params(parameters)).scalars())
        best = min(best, float(next(line for line in plan if line.startswith("Execution Time")).split()[2]))
    return best, plan


def main(url: str) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40,
                      "CHORUS_PSEUDONYM_KEY": "y" * 40})
    with app.app_context():
        connection = db.session.connection()
        question, conversation = connection.execute(sa.text(
            "SELECT question_id, conversation_id FROM idea GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1")).one()
        query, up, comments = row_query()
        published = (Idea.question_id == question) & (Idea.status == ContentStatus.PUBLISHED)
        first_page = {"supported": [sa.desc(up)], "discussed": [sa.desc(comments)], "newest": []}
        for sort, by in first_page.items():
            old = query.where(published).order_by(*by, Idea.created_hour.desc(), Idea.id).limit(20)
            old_ms, _ = best_of(connection, old, {})
            new_ms, plan = best_of(connection, _order(sort, False, True),
                                   {"question": question, "conversation": conversation, "stage": None})
            print(f"{sort}: per-page query (page 1) {old_ms:.1f} ms; whole order {new_ms:.1f} ms (best of 5)")
            if sort == "supported":
                print("\n".join(plan))


if __name__ == "__main__":
    main(sys.argv[1])
