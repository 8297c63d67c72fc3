"""the retention schedule: legal holds and anonymisation on cases, disposal marks on messages and replies, review
outcomes, and the disposal log

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('hold_reason', sa.String(length=500), nullable=True))
    op.add_column('cases', sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('reviews', sa.Column('outcome', sa.String(length=32), nullable=True))
    op.add_column('inbound_messages', sa.Column('disposed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('outbox', sa.Column('disposed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_inbound_disposed', 'inbound_messages', ['mailbox', 'disposed_at'], unique=False)
    op.create_table(
        'disposals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('mailbox', sa.String(length=320), nullable=False),
        sa.Column('instance', sa.String(length=255), nullable=False),
        sa.Column('record', sa.String(length=32), nullable=False),
        sa.Column('rule', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('reference', sa.String(length=64), nullable=True),
        sa.Column('detail', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disposals')),
    )
    op.create_index('ix_disposals_at', 'disposals', ['mailbox', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_disposals_at', table_name='disposals')
    op.drop_table('disposals')
    op.drop_index('ix_inbound_disposed', table_name='inbound_messages')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('disposed_at')
    with op.batch_alter_table('inbound_messages') as batch:
        batch.drop_column('disposed_at')
    with op.batch_alter_table('reviews') as batch:
        batch.drop_column('outcome')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('anonymised_at')
        batch.drop_column('hold_reason')
