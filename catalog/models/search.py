"""The PostgreSQL search backend's copy of each visible product (catalog/search/postgres_backend.py).

Portable columns live in the model; the PostgreSQL-only parts (a `tsv tsvector` column with a GIN
index, a trigram index on `words` when pg_trgm is available) are added by migration 0004 on
PostgreSQL only and left out of autogenerate comparisons (migrations/env.py include_object).
On SQLite, where Whoosh is the backend, the table stays empty.
"""

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base

# Names of the PostgreSQL-only schema objects (migration 0004, env.py's include_object).
PG_ONLY_COLUMNS = {("search_document", "tsv")}
PG_ONLY_INDEXES = {"ix_search_document_tsv", "ix_search_document_words_trgm"}


class SearchDocumentRow(Base):
    __tablename__ = "search_document"
    __table_args__ = (
        Index("ix_search_document_category", "category_id"),
        Index("ix_search_document_price", "price"),
        Index("ix_search_document_created", "created"),
        # Region filters on a common word: intersected with the text's bitmap (migration 0010).
        Index("ix_search_document_kota", "kota_code"),
        Index("ix_search_document_kecamatan", "kecamatan_code"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    title_terms: Mapped[str] = mapped_column(Text, default="")  # analysed exact words of the title
    body_terms: Mapped[str] = mapped_column(Text, default="")  # of description, options, category, seller
    stem_terms: Mapped[str] = mapped_column(Text, default="")  # stems that differ from their word
    words: Mapped[str] = mapped_column(Text, default="")  # distinct title words, for typo matching
    seller_id: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(Integer)
    parent_category_id: Mapped[int] = mapped_column(Integer)
    kota_code: Mapped[str] = mapped_column(String(13), default="")
    kecamatan_code: Mapped[str] = mapped_column(String(13), default="")
    scale: Mapped[str] = mapped_column(String(10))
    is_koperasi: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate_bits: Mapped[int] = mapped_column(Integer, default=0)
    price: Mapped[int] = mapped_column(BigInteger)
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    tkdn_pct: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int] = mapped_column(Integer, default=0)  # × 100
    created: Mapped[int] = mapped_column(BigInteger)  # unix seconds


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic autogenerate: ignore the PostgreSQL-only column and indexes that migration
    0004 adds by hand (they have no counterpart in the models on purpose)."""
    if type_ == "column" and reflected and (obj.table.name, name) in PG_ONLY_COLUMNS:
        return False
    if type_ == "index" and reflected and name in PG_ONLY_INDEXES:
        return False
    return True
