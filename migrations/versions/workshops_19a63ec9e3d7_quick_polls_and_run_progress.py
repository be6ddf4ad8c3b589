"""workshops: a theme run's stage and progress

A run's stage and n of N are kept on its own row while it runs. Finished runs are marked done.

Revision ID: 19a63ec9e3d7
Revises: d7a4c9e1f203
Create Date: 2026-12-06 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '19a63ec9e3d7'
down_revision = 'd7a4c9e1f203'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('theme_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=12), server_default='queued', nullable=False))
        batch_op.add_column(sa.Column('progress_done', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('progress_total', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE theme_run SET stage = 'done' WHERE status = 'succeeded'")


def downgrade():
    # A run's stage and progress only say how far a run has got: nothing lasting is lost.
    with op.batch_alter_table('theme_run', schema=None) as batch_op:
        batch_op.drop_column('progress_total')
        batch_op.drop_column('progress_done')
        batch_op.drop_column('stage')
