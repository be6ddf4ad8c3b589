"""messaging: invitations, reminders and announcements (send log of counts), unsubscribes, Teams webhooks

Revision ID: e6c2b9d4a810
Revises: 751c424673a6
Create Date: 2026-12-06 16:00:00.000000

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6c2b9d4a810'
down_revision = '751c424673a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outreach_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('by_email', sa.Boolean(), nullable=False),
    sa.Column('by_teams', sa.Boolean(), nullable=False),
    sa.Column('audience_filter', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('due_hour', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_hour', sa.DateTime(), nullable=False),
    sa.Column('sent_hour', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('failed_count', sa.Integer(), nullable=False),
    sa.Column('teams_posted', sa.Boolean(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_outreach_message_conversation_id_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_message'))
    )
    with op.batch_alter_table('outreach_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_message_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_message_due_hour'), ['due_hour'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_message_status'), ['status'], unique=False)

    op.create_table('message_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_message_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_message_preference'))
    )
    op.create_table('teams_webhook',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_teams_webhook_conversation_id_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_teams_webhook'))
    )


def downgrade():
    refuse_downgrade_if_any(revision, {
        'scheduled or sent message(s)': 'SELECT count(*) FROM outreach_message',
        'unsubscribe choice(s)': 'SELECT count(*) FROM message_preference',
        'Teams webhook address(es)': 'SELECT count(*) FROM teams_webhook',
    })
    op.drop_table('teams_webhook')
    op.drop_table('message_preference')
    with op.batch_alter_table('outreach_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_message_status'))
        batch_op.drop_index(batch_op.f('ix_outreach_message_due_hour'))
        batch_op.drop_index(batch_op.f('ix_outreach_message_conversation_id'))
    op.drop_table('outreach_message')
