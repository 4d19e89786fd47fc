"""The catalogue: a two-level category tree, products, their photos and attached certificates."""

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base, TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from catalog.models.sellers import Seller, SellerDocument

PRODUCT_DRAFT = "draft"
PRODUCT_ACTIVE = "active"
PRODUCT_ARCHIVED = "archived"
PRODUCT_STATUSES = (PRODUCT_DRAFT, PRODUCT_ACTIVE, PRODUCT_ARCHIVED)

UNITS = ("pcs", "kg", "gram", "liter", "paket", "porsi", "lusin", "box", "pak", "botol", "lembar",
         "rim", "set", "meter", "jam", "hari", "orang")


class Category(Base):
    """Two levels: a top category (Makanan) and its children (Keripik & Camilan)."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    slug: Mapped[str] = mapped_column(String(90), unique=True)
    icon: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False)

    parent: Mapped[Optional["Category"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Category"]] = relationship(
        back_populates="parent", order_by="(Category.position, Category.name)"
    )

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


product_certificate = Table(
    "product_certificate",
    Base.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", ForeignKey("seller_document.id", ondelete="CASCADE"), primary_key=True),
)


class Product(TimestampMixin, Base):
    __tablename__ = "product"
    __table_args__ = (
        # Listings: a category's active products, newest first; a seller's products by status.
        Index("ix_product_category_status_created", "category_id", "status", "created_at"),
        Index("ix_product_status_created", "status", "created_at"),
        Index("ix_product_seller_status", "seller_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    title: Mapped[str] = mapped_column(String(140))
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML (nh3)
    # Integer Rupiah. With variants (a later issue) this is the lowest active variant price.
    price: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(12), default="pcs")
    min_order: Mapped[int] = mapped_column(Integer, default=1)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    made_to_order: Mapped[bool] = mapped_column(Boolean, default=False)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    tkdn_pct: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=PRODUCT_DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    sold_count: Mapped[int] = mapped_column(Integer, default=0)

    seller: Mapped["Seller"] = relationship(back_populates="products")
    category: Mapped[Category] = relationship()
    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )
    certificates: Mapped[list["SellerDocument"]] = relationship(secondary=product_certificate)

    @property
    def in_stock(self) -> bool:
        return self.made_to_order or self.stock > 0

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def cover(self) -> Optional["ProductImage"]:
        return self.images[0] if self.images else None

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.slug}>"


class ProductImage(Base):
    """A photo; `key` names the stored renditions (key-320.webp, key-960.jpg, …), never the original."""

    __tablename__ = "product_image"
    __table_args__ = (Index("ix_product_image_product_position", "product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Not unique: benchmark catalogues let many products share one set of generated renditions.
    key: Mapped[str] = mapped_column(String(80), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt: Mapped[str] = mapped_column(String(160), default="")

    product: Mapped[Product] = relationship(back_populates="images")


class InventoryLog(Base):
    """Every stock change: who, when, by how much and why (services/inventory.py writes it)."""

    __tablename__ = "inventory_log"
    __table_args__ = (Index("ix_inventory_log_product_created", "product_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    delta: Mapped[int] = mapped_column(Integer)
    stock_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # manual, import, created, order, order_cancelled
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
