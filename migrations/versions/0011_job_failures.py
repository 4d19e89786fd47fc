"""background jobs: failures after their retries, for the Dinas console (/admin/tugas)

Revision ID: 0011_job_failures
Revises: 0010_search_regions
Create Date: 2026-12-06 23:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_job_failures'
down_revision = '0010_search_regions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=80), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('args_key', sa.String(length=64), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_job_failure_resolved_by_id_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_failure'))
    )
    with op.batch_alter_table('job_failure', schema=None) as batch_op:
        batch_op.create_index('ix_job_failure_open', ['resolved_at', 'task'], unique=False)


def downgrade():
    with op.batch_alter_table('job_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_job_failure_open')
    op.drop_table('job_failure')
