"""author slots: a person's own ideas and comments are found by their slot tags, not by testing every item

Each new idea and comment stores the tag of its author's first free slot (app.crypto.author_slots), unique per
table; items from before this revision keep an empty slot tag and are found the old way (a partial index lists
them per conversation). Nothing about an author is added: a slot tag is an HMAC under the conversation key, like
the author tag beside it.

Revision ID: 4f8a2c6e9b13
Revises: 19a63ec9e3d7
Create Date: 2026-12-07 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f8a2c6e9b13'
down_revision = '19a63ec9e3d7'
branch_labels = None
depends_on = None

TABLES = ('idea', 'comment')


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column('slot_tag', sa.String(length=64), nullable=True))
        op.create_index(f'ix_{table}_slot_tag', table, ['slot_tag'], unique=True)
        op.create_index(f'ix_{table}_unslotted', table, ['conversation_id'], unique=False,
                        sqlite_where=sa.text('slot_tag IS NULL'), postgresql_where=sa.text('slot_tag IS NULL'))


def downgrade():
    # Nothing is lost: the older code finds every item by its author tag, which this revision leaves alone.
    for table in TABLES:
        op.drop_index(f'ix_{table}_unslotted', table_name=table)
        op.drop_index(f'ix_{table}_slot_tag', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('slot_tag')
