"""key epochs: conversation keys wrapped under a key epoch whose secret lives outside the database

Revision ID: c3e8f1a27b60
Revises: c3a9d2e7f104
Create Date: 2026-12-06 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e8f1a27b60'
down_revision = 'c3a9d2e7f104'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('key_epoch',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=True),
    sa.Column('check', sa.LargeBinary(), nullable=True),
    sa.Column('master_fingerprint', sa.String(length=16), nullable=False),
    sa.Column('destroyed_hour', sa.DateTime(), nullable=True),
    sa.CheckConstraint('is_current', name=op.f('ck_key_epoch_only_true')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_epoch')),
    sa.UniqueConstraint('is_current', name=op.f('uq_key_epoch_is_current'))
    )
    # Existing keys keep epoch_id NULL (wrapped under the master key alone) until the next shredding moves them.
    with op.batch_alter_table('conversation_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('epoch_id', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_conversation_key_epoch_id'), ['epoch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_conversation_key_epoch_id_key_epoch'), 'key_epoch', ['epoch_id'], ['id'])


def downgrade():
    live = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM conversation_key WHERE wrapped IS NOT NULL AND epoch_id IS NOT NULL"))
    if live:
        raise RuntimeError(
            f"Not downgrading: {live} live conversation key(s) are wrapped under key epochs, which the older version "
            "cannot open, so their posts and votes would lose their authors for good. Downgrade only after those "
            "conversations' keys are destroyed, or restore a backup taken before the upgrade.")
    with op.batch_alter_table('conversation_key', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conversation_key_epoch_id_key_epoch'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_conversation_key_epoch_id'))
        batch_op.drop_column('epoch_id')
    op.drop_table('key_epoch')
