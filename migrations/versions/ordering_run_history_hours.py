"""run history: theme and opinion run times to the hour, old theme runs and their assignments pruned (rule A5)

Data only, no schema change. Every theme_run, opinion_run and theme time is truncated to its hour; for each
conversation only its current theme run keeps its idea assignments, and only that run, the succeeded run before
it and a failure newer than both are kept (plus the newest on-demand run as a bare row, for the rate limit).
Older runs dated when each idea first appeared.

Revision ID: c3a9d2e7f104
Revises: c3f1a7d2e8b4
Create Date: 2026-12-06 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9d2e7f104'
down_revision = 'c3f1a7d2e8b4'
branch_labels = None
depends_on = None

TIMES = {"theme_run": ("created_at", "finished_at"), "opinion_run": ("created_at", "finished_at"),
         "theme": ("created_at",)}


def _hour(value):
    return None if value is None else value.replace(minute=0, second=0, microsecond=0)


def upgrade():
    bind = op.get_bind()
    meta = sa.MetaData()
    for name, columns in TIMES.items():
        table = sa.Table(name, meta, autoload_with=bind)
        for row in bind.execute(sa.select(table.c.id, *(table.c[c] for c in columns))).all():
            values = {c: _hour(row._mapping[c]) for c in columns}
            if any(values[c] != row._mapping[c] for c in columns):
                bind.execute(sa.update(table).where(table.c.id == row.id).values(**values))

    conversation = sa.Table("conversation", meta, autoload_with=bind)
    run = sa.Table("theme_run", meta, autoload_with=bind)
    snapshot = sa.Table("theme_snapshot", meta, autoload_with=bind)
    assignment = sa.Table("theme_assignment", meta, autoload_with=bind)
    for conversation_id, current in bind.execute(sa.select(conversation.c.id, conversation.c.current_theme_run_id)):
        runs = bind.execute(sa.select(run.c.id, run.c.status, run.c.trigger).where(run.c.conversation_id == conversation_id)
                            .order_by(run.c.id)).all()
        keep = {r.id for r in runs if r.status in ("queued", "running")}
        if current is not None:
            keep.add(current)
            earlier = [r.id for r in runs if r.status == "succeeded" and r.id < current]
            keep.update(earlier[-1:])
        failures = [r.id for r in runs if r.status == "failed" and r.id > (current or 0)]
        keep.update(failures[-1:])
        old = [r.id for r in runs if r.id not in keep]
        on_demand = [r.id for r in runs if r.trigger == "manual"][-1:]  # a bare row: the rate limit counts from it
        old_rows = [i for i in old if i not in on_demand]
        no_assignments = [r.id for r in runs if r.id != current]
        if no_assignments:
            bind.execute(sa.delete(assignment).where(assignment.c.run_id.in_(no_assignments)))
        if old:
            bind.execute(sa.delete(snapshot).where(snapshot.c.run_id.in_(old)))
        if old_rows:
            bind.execute(sa.delete(run).where(run.c.id.in_(old_rows)))


def downgrade():
    # Nothing to undo: the schema is unchanged, and the exact times and old runs removed on upgrade were
    # derived data that no earlier version needs (and, by design, cannot be brought back).
    pass
