"""outbox.recipient_key: the daily cap counts by mailbox, not by the address as written; an index for the hourly cap

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

A forger walked around the per-address daily cap by writing one victim's address with a different sub-address or
letter case each time (`victim+1@…`, `Victim+2@…`). The cap now counts by `recipient_key`, the recipient with both
folded (mailbot/mail/mailbox_key.py), set by the model on every insert. Existing rows get lower(recipient): only the
last day's rows matter to the cap. The mailbox-wide hourly cap counts the mailbox's replies of the last hour.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_outbox_recipient', table_name='outbox')  # first: SQLite's batch copy cannot carry it
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('recipient_key', sa.String(length=320), nullable=True))
    op.execute("UPDATE outbox SET recipient_key = lower(recipient)")
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('recipient_key', existing_type=sa.String(length=320), nullable=False)
    op.create_index('ix_outbox_recipient_key', 'outbox', ['mailbox', 'recipient_key', 'created_at'], unique=False)
    op.create_index('ix_outbox_created', 'outbox', ['mailbox', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_created', table_name='outbox')
    op.drop_index('ix_outbox_recipient_key', table_name='outbox')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('recipient_key')
    op.create_index('ix_outbox_recipient', 'outbox', ['mailbox', sa.text('lower(recipient)'), 'created_at'],
                    unique=False)
