"""Pol.is imports (issue #16): uploaded export files waiting to be imported, the source's counts per imported
conversation, and the opinion map's points on each opinion run

Revision ID: b6e2f4a8c913
Revises: e6c2b9d4a810
Create Date: 2026-12-06 16:00:00.000000

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6e2f4a8c913'
down_revision = 'e6c2b9d4a810'
branch_labels = None
depends_on = None

DONE = "conversation_id IS NOT NULL"


def upgrade():
    op.create_table('polis_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('files', sa.LargeBinary(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_hour', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_polis_import_conversation_id_conversation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_polis_import_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polis_import')),
    sa.UniqueConstraint('conversation_id', name=op.f('uq_polis_import_conversation_id'))
    )
    with op.batch_alter_table('polis_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_polis_import_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ux_polis_import_done', ['organisation_id', 'digest'], unique=True,
                              sqlite_where=sa.text(DONE), postgresql_where=sa.text(DONE))
    with op.batch_alter_table('opinion_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('map_points', sa.JSON(), nullable=True))


def downgrade():
    # Map points are recomputed by the next opinion run, so only the imports themselves are refused.
    refuse_downgrade_if_any(revision, {'Pol.is import(s)': 'SELECT count(*) FROM polis_import'})
    with op.batch_alter_table('opinion_run', schema=None) as batch_op:
        batch_op.drop_column('map_points')
    with op.batch_alter_table('polis_import', schema=None) as batch_op:
        batch_op.drop_index('ux_polis_import_done', sqlite_where=sa.text(DONE), postgresql_where=sa.text(DONE))
        batch_op.drop_index(batch_op.f('ix_polis_import_organisation_id'))
    op.drop_table('polis_import')
