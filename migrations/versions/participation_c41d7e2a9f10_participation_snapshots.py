"""participation: drop per-person participation rows; keep only hourly aggregate snapshots

The old `participation` table held one row per person (organisation and staff group) written in the same
transaction as their first post or vote, which lined each row up with the content (rule A1). Its rows are the
leak, so the upgrade drops them; figures are recomputed by the next scheduled batch.

The downgrade recreates an empty `participation` table: the dropped rows cannot (and must not) come back, and
the snapshots it drops are aggregates the batch can recompute, so no data is lost that the old code could use.

Revision ID: c41d7e2a9f10
Revises: 5b0c7e3d9a41
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41d7e2a9f10'
down_revision = '5b0c7e3d9a41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('participation_snapshot',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('computed_hour', sa.DateTime(), nullable=False),
    sa.Column('min_group_size', sa.Integer(), nullable=False),
    sa.Column('ideas', sa.Integer(), nullable=False),
    sa.Column('comments', sa.Integer(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('by_organisation', sa.JSON(), nullable=False),
    sa.Column('by_staff_group', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_participation_snapshot_conversation_id_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_participation_snapshot'))
    )
    op.drop_table('participation')



def downgrade():
    refuse_downgrade_if_any(revision, {
        'participation snapshot(s)':
            'SELECT count(*) FROM participation_snapshot',
    })
    op.create_table('participation',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('staff_group', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_participation_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_participation_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('conversation_id', 'pseudonym', name=op.f('pk_participation')),
    sqlite_with_rowid=False
    )
    op.drop_table('participation_snapshot')
