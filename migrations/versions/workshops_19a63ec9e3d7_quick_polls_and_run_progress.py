"""workshops: quick polls in live sessions, and a theme run's stage and progress

Polls keep per-poll pseudonyms only (no user, no time finer than the hour); a run's stage and n of N are kept on
its own row while it runs. Finished runs are marked done.

Revision ID: 19a63ec9e3d7
Revises: 28312cb0fc4b
Create Date: 2026-12-06 15:50:00.000000

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '19a63ec9e3d7'
down_revision = '28312cb0fc4b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('poll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('choice', 'scale')", name=op.f('ck_poll_kind_known')),
    sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f('ck_poll_status_known')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_poll_conversation_id_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll'))
    )
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('poll_answer',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('answerer', sa.String(length=64), nullable=False),
    sa.Column('choice', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('choice >= 0 AND choice < 6', name=op.f('ck_poll_answer_choice_range')),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_answer_poll_id_poll'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('poll_id', 'answerer', name=op.f('pk_poll_answer')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('theme_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=12), server_default='queued', nullable=False))
        batch_op.add_column(sa.Column('progress_done', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('progress_total', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE theme_run SET stage = 'done' WHERE status = 'succeeded'")


def downgrade():
    # A run's stage and progress only say how far a run has got (nothing lasting); polls and answers would be lost.
    refuse_downgrade_if_any(revision, {
        'quick poll(s)': 'SELECT count(*) FROM poll',
        'poll answer(s)': 'SELECT count(*) FROM poll_answer',
    })
    with op.batch_alter_table('theme_run', schema=None) as batch_op:
        batch_op.drop_column('progress_total')
        batch_op.drop_column('progress_done')
        batch_op.drop_column('stage')

    op.drop_table('poll_answer')
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_conversation_id'))

    op.drop_table('poll')
