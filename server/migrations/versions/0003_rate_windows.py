"""platform-wide rate-limit windows

Revision ID: 0003_ratelimit
Revises: 0002_live
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_ratelimit'
down_revision = '0002_live'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_window',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_rate_window'))
    )


def downgrade() -> None:
    op.drop_table('rate_window')
