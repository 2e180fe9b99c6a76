"""draw ranking; experts' own declared relations

Revision ID: 0004_draw
Revises: 0004_experts_ui
Create Date: 2026-12-02 13:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import server.db

revision = '0004_draw'
down_revision = '0004_experts_ui'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('expert_draw', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranking', sa.Text(), nullable=True))
    with op.batch_alter_table('expert_relation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=8), server_default='admin', nullable=False))
        batch_op.add_column(sa.Column('declared_at', server.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', server.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('expert_relation', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('declared_at')
        batch_op.drop_column('source')
    with op.batch_alter_table('expert_draw', schema=None) as batch_op:
        batch_op.drop_column('ranking')
