"""reliability: the job outbox (work queued after commit, retried while Redis is away)

Revision ID: d7a1c2e3f4b5
Revises: c3f1a2b4d5e6
Create Date: 2026-12-06 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a1c2e3f4b5'
down_revision = 'c3f1a2b4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=40), nullable=False),
        sa.Column('target_id', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox')),
        sa.UniqueConstraint('job', 'target_id', name=op.f('uq_job_outbox_job_target_id')),
    )


def downgrade():
    # Waiting jobs would be lost and their runs left queued: refuse unless the outbox is empty.
    waiting = op.get_bind().execute(sa.text('SELECT count(*) FROM job_outbox')).scalar()
    if waiting:
        raise RuntimeError(f'job_outbox still holds {waiting} job(s) waiting to be queued; start Redis and a '
                           'worker, let the scheduler queue them, then downgrade (or restore a backup).')
    op.drop_table('job_outbox')
