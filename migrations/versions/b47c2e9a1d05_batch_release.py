"""batch release of posts: per-conversation setting, batch size and longest wait

Revision ID: b47c2e9a1d05
Revises: 8412a6db2de1
Create Date: 2026-11-24 06:00:00.000000

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b47c2e9a1d05'
down_revision = 'e2e1faff44d8'
branch_labels = None
depends_on = None


def upgrade():
    # Posts waiting for a batch use a new value of the existing status column ("waiting"): no change there.
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_release', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('batch_size', sa.Integer(), server_default='5', nullable=False))
        batch_op.add_column(sa.Column('batch_max_wait_hours', sa.Integer(), server_default='24', nullable=False))



def downgrade():
    refuse_downgrade_if_any(revision, {
        'idea(s) waiting for batch release (the older schema would publish them)':
            "SELECT count(*) FROM idea WHERE status = 'waiting'",
        'comment(s) waiting for batch release':
            "SELECT count(*) FROM comment WHERE status = 'waiting'",
        'conversation(s) that release posts in batches':
            'SELECT count(*) FROM conversation WHERE batch_release',
    })
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('batch_max_wait_hours')
        batch_op.drop_column('batch_size')
        batch_op.drop_column('batch_release')
