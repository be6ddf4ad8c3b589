"""large paper-note imports: checked and saved by a background job with progress

Revision ID: 751c424673a6
Revises: e2b7c4d9a1f6
Create Date: 2026-12-06 15:58:42.541932

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '751c424673a6'
down_revision = 'e2b7c4d9a1f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('note_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('check_only', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('checked', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('row_errors', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_note_import_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_note_import_question_id_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_import'))
    )
    with op.batch_alter_table('note_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_import_conversation_id'), ['conversation_id'], unique=False)



def downgrade():
    refuse_downgrade_if_any(revision, {'paper-note import(s) still holding notes': "SELECT count(*) FROM note_import WHERE notes <> ''"})
    with op.batch_alter_table('note_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_import_conversation_id'))

    op.drop_table('note_import')
