"""users and staff_actions: the web app's accounts and the staff audit trail; template_versions; who recorded each clock event;
the outcome of an answered request and the exemptions it cited

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('display_name', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('mailboxes', sa.JSON(), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('oidc_tid', sa.String(length=64), nullable=True),
        sa.Column('oidc_oid', sa.String(length=64), nullable=True),
        sa.Column('must_change_password', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('name', name=op.f('uq_users_name')),
        sa.UniqueConstraint('oidc_tid', 'oidc_oid', name=op.f('uq_users_oidc_tid_oidc_oid')),
    )
    op.create_table(
        'staff_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=255), nullable=False),
        sa.Column('via', sa.String(length=16), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('inbound_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_staff_actions_case_id_cases')),
        sa.ForeignKeyConstraint(['inbound_id'], ['inbound_messages.id'],
                                name=op.f('fk_staff_actions_inbound_id_inbound_messages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_actions')),
    )
    op.create_index('ix_staff_actions_case', 'staff_actions', ['case_id'], unique=False)
    op.create_index('ix_staff_actions_at', 'staff_actions', ['at'], unique=False)
    op.create_index('ix_staff_actions_inbound', 'staff_actions', ['inbound_id'], unique=False)
    op.create_table(
        'template_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=255), nullable=False),
        sa.Column('content', sa.Text(), nullable=True),
        sa.Column('actor', sa.String(length=255), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_template_versions')),
    )
    op.create_index('ix_template_versions_path', 'template_versions', ['path', 'id'], unique=False)
    op.add_column('clock_events', sa.Column('actor', sa.String(length=255), nullable=True))
    op.add_column('cases', sa.Column('outcome', sa.String(length=32), nullable=True))
    op.add_column('cases', sa.Column('exemptions', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('exemptions')
        batch.drop_column('outcome')
    with op.batch_alter_table('clock_events') as batch:
        batch.drop_column('actor')
    op.drop_index('ix_template_versions_path', table_name='template_versions')
    op.drop_table('template_versions')
    op.drop_index('ix_staff_actions_inbound', table_name='staff_actions')
    op.drop_index('ix_staff_actions_at', table_name='staff_actions')
    op.drop_index('ix_staff_actions_case', table_name='staff_actions')
    op.drop_table('staff_actions')
    op.drop_table('users')
