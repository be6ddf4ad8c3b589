"""notices: drop user.outcomes_seen_until (dismissed notices are now kept by the browser, rule A2)

Only people who took part in a theme ever had this written, at the moment they dismissed a notice, so the
column named authors and voters in a dump diff. The values are cleared, then the column is dropped. Old
row versions can stay in PostgreSQL's data files until the table is rewritten: docs/operations.md says to
run VACUUM FULL "user" after this upgrade.

Revision ID: c3f1a7d2e8b4
Revises: c41d7e2a9f10
Create Date: 2026-12-06 12:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1a7d2e8b4'
down_revision = 'c41d7e2a9f10'
branch_labels = None
depends_on = None


def upgrade():
    # Clear every row alike before dropping, so no value survives in a row version the drop leaves behind.
    op.execute(sa.text('UPDATE "user" SET outcomes_seen_until = NULL'))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('outcomes_seen_until')


def downgrade():
    # Nothing is lost: the column comes back empty, and the old code then shows the last 90 days' notices again.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcomes_seen_until', sa.DateTime(), nullable=True))
