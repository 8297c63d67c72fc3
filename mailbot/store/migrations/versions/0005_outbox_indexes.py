"""outbox indexes for the daily reply cap and for replies not yet in Sent

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

The daily cap counts the replies to one address (case-insensitively) in the last 24 hours for every inbound
message; without an index on lower(recipient) each count read the whole outbox, so judging slowed down as the
outbox grew. Every send asks for sent replies whose copy is not yet in the Sent folder; without an index that
question read every sent reply.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outbox_recipient', 'outbox', ['mailbox', sa.text('lower(recipient)'), 'created_at'],
                    unique=False)
    op.create_index('ix_outbox_unfiled', 'outbox', ['mailbox', 'status', 'in_sent'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_unfiled', table_name='outbox')
    op.drop_index('ix_outbox_recipient', table_name='outbox')
