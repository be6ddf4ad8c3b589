"""no vote counter on the conversation row: opinion runs compare live event numbers instead

Every vote used to bump conversation.vote_version early in its transaction, so writes to one conversation queued
on that row. Opinion runs now remember the conversation's live_seq they read before the votes and are stale once a
later vote event exists (app/live/store.py changed_since). Stored runs are marked stale, so each recomputes once.

Revision ID: d7a4c9e1f203
Revises: d7a1c2e3f4b5
Create Date: 2026-12-06 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a4c9e1f203'
down_revision = 'd7a1c2e3f4b5'
branch_labels = None
depends_on = None


def upgrade():
    # The old counter's values mean nothing as event numbers: 0 makes every stored result stale once.
    op.execute("UPDATE opinion_run SET vote_version = 0")
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('vote_version')


def downgrade():
    # Nothing is lost: the counter only said "changed"; a value no run has read makes every result stale once.
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_version', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE conversation SET vote_version = 1 + "
               "(SELECT COUNT(*) FROM vote WHERE vote.conversation_id = conversation.id)")
    op.execute("UPDATE opinion_run SET vote_version = 0")
