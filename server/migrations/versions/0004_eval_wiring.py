"""evaluation sessions remember the expert draw their committee came from

Revision ID: 0004_eval_wiring
Revises: 0003_evaluation
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_eval_wiring'
down_revision = '0003_evaluation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('eval_session') as batch:
        batch.add_column(sa.Column('draw_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('eval_session') as batch:
        batch.drop_column('draw_id')
