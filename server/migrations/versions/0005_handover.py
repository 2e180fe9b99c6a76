"""the hand-over of the opened bids to the evaluation committee: experts' encryption certificates and key envelopes

Revision ID: 0005_handover
Revises: 0004_draw
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import server.db

revision = '0005_handover'
down_revision = '0004_draw'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'eval_handover_recipient',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('identity_key', sa.String(length=300), nullable=False),
        sa.Column('certificate', sa.LargeBinary(), nullable=False),
        sa.Column('certificate_sha256', sa.String(length=64), nullable=False),
        sa.Column('registered_at', server.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['eval_session.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'identity_key', name='uq_eval_handover_recipient'),
    )
    op.create_index('ix_eval_handover_recipient_session_id', 'eval_handover_recipient', ['session_id'])
    op.create_table(
        'eval_handover_key',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('submission_id', sa.String(length=36), nullable=False),
        sa.Column('identity_key', sa.String(length=300), nullable=False),
        sa.Column('certificate_sha256', sa.String(length=64), nullable=False),
        sa.Column('envelope', sa.LargeBinary(), nullable=False),
        sa.Column('envelope_sha256', sa.String(length=64), nullable=False),
        sa.Column('handed_by', sa.String(length=300), nullable=False),
        sa.Column('handed_at', server.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['eval_session.id']),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'submission_id', 'identity_key', name='uq_eval_handover_key'),
    )
    op.create_index('ix_eval_handover_key_session_id', 'eval_handover_key', ['session_id'])


def downgrade() -> None:
    op.drop_index('ix_eval_handover_key_session_id', table_name='eval_handover_key')
    op.drop_table('eval_handover_key')
    op.drop_index('ix_eval_handover_recipient_session_id', table_name='eval_handover_recipient')
    op.drop_table('eval_handover_recipient')
