"""quarantine copies, Sent copies, unmoved index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quarantine_copied', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_inbound_unmoved', ['mailbox', 'moved'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_sent', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Replies sent before this revision were copied to Sent one by one as they went out.
    op.execute(sa.text("UPDATE outbox SET in_sent = TRUE WHERE status = 'sent'"))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('in_sent')

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_unmoved')
        batch_op.drop_column('quarantine_copied')

