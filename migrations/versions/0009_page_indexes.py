"""page indexes: a seller's products newest first (product page, storefront), listings by price

Revision ID: 0009_page_indexes
Revises: 0008_ledger
Create Date: 2026-12-06 20:05:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_page_indexes'
down_revision = '0008_ledger'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        # (seller_id, status, created_at) serves everything (seller_id, status) did, and lets
        # "more from this seller" read its six rows in order instead of walking every product.
        batch_op.drop_index('ix_product_seller_status')
        batch_op.create_index('ix_product_seller_status_created', ['seller_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_product_status_price', ['status', 'price'], unique=False)


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_status_price')
        batch_op.drop_index('ix_product_seller_status_created')
        batch_op.create_index('ix_product_seller_status', ['seller_id', 'status'], unique=False)
