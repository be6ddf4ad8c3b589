"""single sign-on: user.sso_subject (the OpenID Connect identity, unique, apart from user_key)

Revision ID: 5b0c7e3d9a41
Revises: 8412a6db2de1
Create Date: 2026-11-24 06:10:00.000000

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
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



def downgrade():
    refuse_downgrade_if_any(revision, {
        'account(s) linked to single sign-on':
            'SELECT count(*) FROM "user" WHERE sso_subject IS NOT NULL',
    })
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_sso_subject'), type_='unique')
        batch_op.drop_column('sso_subject')
