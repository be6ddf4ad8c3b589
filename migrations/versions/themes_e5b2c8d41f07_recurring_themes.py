"""recurring themes: a theme links to the same theme in the session before (Change Hub)

theme.previous_theme_id points at the matched theme of the previous session's current run, so a theme keeps
one identity across sessions and the triage board can say new, recurring, rising or resolved.

Revision ID: e5b2c8d41f07
Revises: e5f2a9c7b318
Create Date: 2026-12-06 16:30:00.000000

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b2c8d41f07'
down_revision = 'e5f2a9c7b318'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_theme_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_theme_previous_theme_id'), ['previous_theme_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_theme_previous_theme_id_theme'), 'theme', ['previous_theme_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade():
    refuse_downgrade_if_any(revision, {
        'theme(s) linked to the same theme in an earlier session':
            'SELECT count(*) FROM theme WHERE previous_theme_id IS NOT NULL',
    })
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_theme_previous_theme_id_theme'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_theme_previous_theme_id'))
        batch_op.drop_column('previous_theme_id')
