"""indexes for listings at the size of a real authority (case_id on decisions, outbox, reviews; cases by state)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

With 50,000 stored cases and 200,000 messages, every lookup of a case's decisions, replies or reviews read the
whole table (a request's page, the CLI's `requests show`, the digest's reviews), the requests list and the digest
scanned every case to find the open ones, and the digest and `messages list` read every message to find one
mailbox's period. These indexes make each a range read (docs/operations.md, "At the size of a real authority").
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_decisions_case', 'decisions', ['case_id']),
    ('ix_decisions_action', 'decisions', ['action']),
    ('ix_outbox_case', 'outbox', ['case_id']),
    ('ix_reviews_case', 'reviews', ['case_id']),
    ('ix_clock_events_review', 'clock_events', ['review_id']),
    ('ix_cases_listing', 'cases', ['mailbox', 'status', 'due']),
    ('ix_inbound_processed', 'inbound_messages', ['mailbox', 'processed_at']),
    ('ix_inbound_received', 'inbound_messages', ['mailbox', 'received_at']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
