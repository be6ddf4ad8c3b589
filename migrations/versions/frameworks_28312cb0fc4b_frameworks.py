"""frameworks: per-organisation frameworks (People Promise built in), idea/theme element mappings, lead corrections

The built-in People Promise is created on first use from nlp/data/frameworks/people_promise.csv
(app/services/frameworks/catalogue.py), so this migration adds tables only. Mappings hold no person and no time.

The downgrade refuses while a trust's own framework, a lead's correction or a conversation's framework choice
exists (they would be lost); mappings and the built-in framework are recomputed, so they are dropped.

Revision ID: 28312cb0fc4b
Revises: e5b2c8d41f07
Create Date: 2026-12-06 15:47:32.060959

"""
from alembic import op

from app.models.migrating import refuse_downgrade_if_any
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '28312cb0fc4b'
down_revision = 'e5b2c8d41f07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('framework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('builtin_key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_framework_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework')),
    sa.UniqueConstraint('builtin_key', name=op.f('uq_framework_builtin_key')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_framework_organisation_id_name'))
    )
    with op.batch_alter_table('framework', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_framework_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('framework_element',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('examples', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['framework.id'], name=op.f('fk_framework_element_framework_id_framework'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework_element')),
    sa.UniqueConstraint('framework_id', 'name', name=op.f('uq_framework_element_framework_id_name'))
    )
    with op.batch_alter_table('framework_element', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_framework_element_framework_id'), ['framework_id'], unique=False)

    op.create_table('theme_element',
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('source', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_theme_element_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['element_id'], ['framework_element.id'], name=op.f('fk_theme_element_element_id_framework_element'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_theme_element_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('theme_id', 'element_id', name=op.f('pk_theme_element')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('theme_element', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_element_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('element_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('idea_id', sa.String(length=24), nullable=True),
    sa.Column('added', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(theme_id IS NULL) <> (idea_id IS NULL)', name=op.f('ck_element_correction_theme_or_idea')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_element_correction_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['element_id'], ['framework_element.id'], name=op.f('fk_element_correction_element_id_framework_element'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_element_correction_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_element_correction_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_element_correction')),
    sa.UniqueConstraint('element_id', 'idea_id', name=op.f('uq_element_correction_element_id_idea_id')),
    sa.UniqueConstraint('element_id', 'theme_id', name=op.f('uq_element_correction_element_id_theme_id'))
    )
    with op.batch_alter_table('element_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_element_correction_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_element_correction_element_id'), ['element_id'], unique=False)

    op.create_table('idea_element',
    sa.Column('idea_id', sa.String(length=24), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('source', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_idea_element_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['element_id'], ['framework_element.id'], name=op.f('fk_idea_element_element_id_framework_element'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_element_idea_id_idea'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'element_id', name=op.f('pk_idea_element')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('idea_element', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_element_conversation_id'), ['conversation_id'], unique=False)

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('framework_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_conversation_framework_id_framework'), 'framework', ['framework_id'], ['id'], ondelete='SET NULL')



def downgrade():
    refuse_downgrade_if_any(revision, {
        "organisation framework(s)": "SELECT count(*) FROM framework WHERE builtin_key IS NULL",
        "lead correction(s) of framework mappings": "SELECT count(*) FROM element_correction",
        "conversation(s) with a chosen framework": "SELECT count(*) FROM conversation WHERE framework_id IS NOT NULL",
    })
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conversation_framework_id_framework'), type_='foreignkey')
        batch_op.drop_column('framework_id')

    with op.batch_alter_table('idea_element', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_element_conversation_id'))

    op.drop_table('idea_element')
    with op.batch_alter_table('element_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_element_correction_element_id'))
        batch_op.drop_index(batch_op.f('ix_element_correction_conversation_id'))

    op.drop_table('element_correction')
    with op.batch_alter_table('theme_element', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_element_conversation_id'))

    op.drop_table('theme_element')
    with op.batch_alter_table('framework_element', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_framework_element_framework_id'))

    op.drop_table('framework_element')
    with op.batch_alter_table('framework', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_framework_organisation_id'))

    op.drop_table('framework')
