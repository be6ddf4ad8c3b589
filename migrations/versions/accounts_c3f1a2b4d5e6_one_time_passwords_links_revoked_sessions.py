"""accounts (A8): one-time admin passwords, set-password links, signed-out sessions

Revision ID: c3f1a2b4d5e6
Revises: c3e8f1a27b60
Create Date: 2026-12-06 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1a2b4d5e6'
down_revision = 'c3e8f1a27b60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('admin_resets', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('admin_reset_on', sa.Date(), nullable=True))
    op.create_table(
        'password_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_password_link_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_link_token_hash')),
    )
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_link_user_id'), ['user_id'], unique=False)
    op.create_table(
        'revoked_session',
        sa.Column('sid_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sid_hash', name=op.f('pk_revoked_session')),
    )
    with op.batch_alter_table('revoked_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_session_expires_at'), ['expires_at'], unique=False)


def downgrade():
    bind = op.get_bind()
    pending = bind.execute(sa.text(
        "SELECT count(*) FROM \"user\" WHERE must_change_password OR password_hash LIKE '!%'")).scalar()
    links = bind.execute(sa.text("SELECT count(*) FROM password_link")).scalar()
    if pending or links:
        raise RuntimeError(
            f"Refusing to downgrade: {pending} account(s) still hold a one-time admin password and {links} "
            "set-password link(s) are outstanding; the older schema would turn them into ordinary passwords "
            "(or lose the links). Let the people set their passwords, or delete the links, first.")
    with op.batch_alter_table('revoked_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_session_expires_at'))
    op.drop_table('revoked_session')
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_link_user_id'))
    op.drop_table('password_link')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('admin_reset_on')
        batch_op.drop_column('admin_resets')
        batch_op.drop_column('must_change_password')
