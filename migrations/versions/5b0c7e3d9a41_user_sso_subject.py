"""single sign-on: user.sso_subject (the OpenID Connect identity, unique, apart from user_key)

Revision ID: 5b0c7e3d9a41
Revises: 8412a6db2de1
Create Date: 2026-11-24 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b0c7e3d9a41'
down_revision = 'b47c2e9a1d05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_sso_subject'), ['sso_subject'])



def _refuse_if_any(checks: dict[str, str]) -> None:
    """Refuse to downgrade while any query finds rows the older schema would lose (or held posts it would publish)."""
    bind = op.get_bind()
    found = [f"{count} {what}" for what, sql in checks.items() if (count := bind.execute(sa.text(sql)).scalar())]
    if found:
        raise RuntimeError(
            f"Refusing to downgrade {revision}: " + "; ".join(found) + " would be lost or changed by the older "
            "schema. To roll back, restore the backup taken before the upgrade (docs/operations.md, 'Rolling back').")


def downgrade():
    _refuse_if_any({
        'account(s) linked to single sign-on':
            'SELECT count(*) FROM "user" WHERE sso_subject IS NOT NULL',
    })
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_sso_subject'), type_='unique')
        batch_op.drop_column('sso_subject')
