"""moderation, reports, notices and guest join codes

Revision ID: a6db5443eecf
Revises: 0cd8bbb40091
Create Date: 2026-11-24 03:02:13.520332

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6db5443eecf'
down_revision = '0cd8bbb40091'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get server defaults: post-moderation, 3 reports, no guests, nothing queued.
    op.create_table('moderation_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.String(length=8), nullable=False),
    sa.Column('item_id', sa.String(length=24), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_moderation_entry_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderator_id'], ['user.id'], name=op.f('fk_moderation_entry_moderator_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_entry'))
    )
    with op.batch_alter_table('moderation_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_entry_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('content_report',
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.String(length=24), nullable=True),
    sa.Column('comment_id', sa.String(length=24), nullable=True),
    sa.Column('reporter', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('cleared', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(idea_id IS NULL) <> (comment_id IS NULL)', name=op.f('ck_content_report_one_item')),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_content_report_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_content_report_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_content_report_idea_id_idea'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_report')),
    sa.UniqueConstraint('comment_id', 'reporter', name=op.f('uq_content_report_comment_id_reporter')),
    sa.UniqueConstraint('idea_id', 'reporter', name=op.f('uq_content_report_idea_id_reporter')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('content_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_report_conversation_id'), ['conversation_id'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flagged_identifying', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('queued', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('flagged_abusive', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('moderator_edited', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('notice_action', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('notice_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('notice_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('notice_unseen', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_comment_notice_unseen'), ['notice_unseen'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_queued'), ['queued'], unique=False)

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moderation_mode', sa.String(length=8), nullable=False, server_default='post'))
        batch_op.add_column(sa.Column('report_threshold', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('allow_guests', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('join_code', sa.String(length=12), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_conversation_join_code'), ['join_code'])

    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('flagged_abusive', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('moderator_edited', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('notice_action', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('notice_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('notice_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('notice_unseen', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_idea_notice_unseen'), ['notice_unseen'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_queued'), ['queued'], unique=False)

    # ### end Alembic commands ###



def downgrade():
    refuse_downgrade_if_any(revision, {
        'moderation log record(s)':
            'SELECT count(*) FROM moderation_entry',
        'report(s) of content':
            'SELECT count(*) FROM content_report',
        'held or flagged idea(s) (held posts would become invisible to moderators)':
            'SELECT count(*) FROM idea WHERE queued OR flagged_abusive OR moderator_edited OR notice_action IS NOT NULL',
        'held or flagged comment(s)':
            'SELECT count(*) FROM comment WHERE queued OR flagged_abusive OR flagged_identifying OR moderator_edited OR notice_action IS NOT NULL',
        'conversation(s) with pre-moderation, guest access or a join code':
            "SELECT count(*) FROM conversation WHERE moderation_mode <> 'post' OR allow_guests OR join_code IS NOT NULL",
    })
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_queued'))
        batch_op.drop_index(batch_op.f('ix_idea_notice_unseen'))
        batch_op.drop_column('notice_unseen')
        batch_op.drop_column('notice_note')
        batch_op.drop_column('notice_reason')
        batch_op.drop_column('notice_action')
        batch_op.drop_column('moderator_edited')
        batch_op.drop_column('flagged_abusive')
        batch_op.drop_column('queued')

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_conversation_join_code'), type_='unique')
        batch_op.drop_column('join_code')
        batch_op.drop_column('allow_guests')
        batch_op.drop_column('report_threshold')
        batch_op.drop_column('moderation_mode')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_queued'))
        batch_op.drop_index(batch_op.f('ix_comment_notice_unseen'))
        batch_op.drop_column('notice_unseen')
        batch_op.drop_column('notice_note')
        batch_op.drop_column('notice_reason')
        batch_op.drop_column('notice_action')
        batch_op.drop_column('moderator_edited')
        batch_op.drop_column('flagged_abusive')
        batch_op.drop_column('queued')
        batch_op.drop_column('flagged_identifying')

    with op.batch_alter_table('content_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_report_conversation_id'))

    op.drop_table('content_report')
    with op.batch_alter_table('moderation_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_entry_conversation_id'))

    op.drop_table('moderation_entry')
    # ### end Alembic commands ###
