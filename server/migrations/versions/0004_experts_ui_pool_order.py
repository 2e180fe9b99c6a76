"""the expert pool's list order: an index on (name, id)

Revision ID: 0004_experts_ui
Revises: 0004_eval_wiring
Create Date: 2026-12-02 14:00:00

The administrator's pool view pages through 100,000 experts sorted by name (GET /api/v1/experts); without
the index every page sorted the whole pool (3 s for a page in the middle on SQLite).
"""

from __future__ import annotations

from alembic import op

revision = '0004_experts_ui'
down_revision = '0004_eval_wiring'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_expert_name_id', 'expert', ['name', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_expert_name_id', table_name='expert')
