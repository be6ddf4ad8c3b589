"""workforce baseline for the outreach monitor; Freedom to Speak Up Guardians, threads and contacts

Issue #15 parts 2 and 3. The baseline holds headcounts per organisation and staff group only. A Speak Up thread
points at the post it came from and carries nothing that names its author (rule A1); Guardians are a flag on
their membership, apart from the ranked roles.

Revision ID: e5f2a9c7b318
Revises: b6e2f4a8c913
Create Date: 2026-12-06 16:00:00.000000

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f2a9c7b318'
down_revision = 'b6e2f4a8c913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'workforce_baseline',
        sa.Column('staff_group_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('headcount', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('updated_on', sa.Date(), nullable=False),
        sa.CheckConstraint('headcount >= 0', name=op.f('ck_workforce_baseline_headcount_not_negative')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_workforce_baseline_organisation_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_group_id'], ['staff_group.id'],
                                name=op.f('fk_workforce_baseline_staff_group_id_staff_group'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('staff_group_id', name=op.f('pk_workforce_baseline')),
    )
    with op.batch_alter_table('workforce_baseline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workforce_baseline_organisation_id'), ['organisation_id'], unique=False)

    op.create_table(
        'speak_up_contact',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('guardian_contact', sa.String(length=1000), nullable=False),
        sa.Column('local_routes', sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_speak_up_contact_organisation_id_organisation'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_speak_up_contact')),
    )
    op.create_table(
        'speak_up_thread',
        sa.Column('id', sa.String(length=24), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.String(length=24), nullable=True),
        sa.Column('comment_id', sa.String(length=24), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('guardian_unread', sa.Boolean(), nullable=False),
        sa.Column('replies', sa.Integer(), nullable=False),
        sa.CheckConstraint('(idea_id IS NULL) <> (comment_id IS NULL)', name=op.f('ck_speak_up_thread_one_post')),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'],
                                name=op.f('fk_speak_up_thread_comment_id_comment'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'],
                                name=op.f('fk_speak_up_thread_conversation_id_conversation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['idea_id'], ['idea.id'],
                                name=op.f('fk_speak_up_thread_idea_id_idea'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_speak_up_thread')),
        sa.UniqueConstraint('comment_id', name=op.f('uq_speak_up_thread_comment_id')),
        sa.UniqueConstraint('idea_id', name=op.f('uq_speak_up_thread_idea_id')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('speak_up_thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speak_up_thread_conversation_id'), ['conversation_id'], unique=False)
    op.create_table(
        'speak_up_message',
        sa.Column('id', sa.String(length=24), nullable=False),
        sa.Column('thread_id', sa.String(length=24), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('from_guardian', sa.Boolean(), nullable=False),
        sa.Column('guardian_name', sa.String(length=120), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_hour', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['speak_up_thread.id'],
                                name=op.f('fk_speak_up_message_thread_id_speak_up_thread'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_speak_up_message')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('speak_up_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speak_up_message_thread_id'), ['thread_id'], unique=False)

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speak_up_guardian', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    refuse_downgrade_if_any(revision, {
        'workforce baseline row(s)': 'SELECT count(*) FROM workforce_baseline',
        'Speak Up thread(s)': 'SELECT count(*) FROM speak_up_thread',
        'Speak Up contact page(s)': 'SELECT count(*) FROM speak_up_contact',
        'Freedom to Speak Up Guardian appointment(s)': 'SELECT count(*) FROM membership WHERE speak_up_guardian',
    })
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('speak_up_guardian')
    with op.batch_alter_table('speak_up_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speak_up_message_thread_id'))
    op.drop_table('speak_up_message')
    with op.batch_alter_table('speak_up_thread', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speak_up_thread_conversation_id'))
    op.drop_table('speak_up_thread')
    op.drop_table('speak_up_contact')
    with op.batch_alter_table('workforce_baseline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workforce_baseline_organisation_id'))
    op.drop_table('workforce_baseline')
