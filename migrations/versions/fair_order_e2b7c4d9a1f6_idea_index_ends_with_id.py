"""the question's idea index ends with the id: a page of the fair random order reads only that page

Revision ID: e2b7c4d9a1f6
Revises: d7a4c9e1f203
Create Date: 2026-12-06 16:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e2b7c4d9a1f6'
down_revision = 'd7a4c9e1f203'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_question_status')
        batch_op.create_index('ix_idea_question_status', ['question_id', 'status', 'id'], unique=False)


def downgrade():
    # Only an index changes: nothing can be lost.
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_question_status')
        batch_op.create_index('ix_idea_question_status', ['question_id', 'status'], unique=False)
