"""The catalogue: a two-level category tree, products, their photos and attached certificates."""

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base, TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from catalog.models.sellers import Seller, SellerDocument

PRODUCT_DRAFT = "draft"
PRODUCT_ACTIVE = "active"
PRODUCT_ARCHIVED = "archived"
# Hidden by the Dinas (listing moderation): not public, and the seller cannot change the status
# until an admin restores it; `status_before_hidden` remembers what to restore to.
PRODUCT_HIDDEN = "hidden"
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
        # Listings: a category's active products, newest first or by price; a seller's products
        # by status, newest first (the product page's "more from this seller").
        Index("ix_product_category_status_created", "category_id", "status", "created_at"),
        Index("ix_product_status_created", "status", "created_at"),
        Index("ix_product_status_price", "status", "price"),
        Index("ix_product_seller_status_created", "seller_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    title: Mapped[str] = mapped_column(String(140))
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML (nh3)
    # Integer Rupiah: the lowest and highest price of the active variants, kept in step by
    # services/variants.py so listings sort and filter by price without touching variants.
    price: Mapped[int] = mapped_column(BigInteger)
    price_max: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(12), default="pcs")
    min_order: Mapped[int] = mapped_column(Integer, default=1)
    # The stock of the active variants together (services/inventory.py keeps it in step), for
    # "in stock" filters and cards; the stock that is reserved and sold lives on each variant.
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
    # Listing moderation by the Dinas (services/moderation.py): the reason the seller sees.
    moderation_reason: Mapped[str | None] = mapped_column(String(500))
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_before_hidden: Mapped[str | None] = mapped_column(String(10))

    seller: Mapped["Seller"] = relationship(back_populates="products")
    category: Mapped[Category] = relationship()
    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )
    certificates: Mapped[list["SellerDocument"]] = relationship(secondary=product_certificate)
    options: Mapped[list["ProductOption"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductOption.position"
    )
    variants: Mapped[list["ProductVariant"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductVariant.position"
    )

    @property
    def is_hidden(self) -> bool:
        return self.status == PRODUCT_HIDDEN

    @property
    def in_stock(self) -> bool:
        return self.made_to_order or self.stock > 0

    @property
    def has_price_range(self) -> bool:
        """Variants at different prices: cards say "mulai Rp…"."""
        return self.price_max > self.price

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


MAX_OPTIONS = 3  # Ukuran × Warna × Bahan is as far as a seller's grid stays readable


class ProductOption(Base):
    """An option type of one product (Ukuran, Warna, Rasa), first to third."""

    __tablename__ = "product_option"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 0, 1 or 2
    name: Mapped[str] = mapped_column(String(30))

    product: Mapped[Product] = relationship(back_populates="options")
    values: Mapped[list["OptionValue"]] = relationship(
        back_populates="option", cascade="all, delete-orphan", order_by="OptionValue.position"
    )


class OptionValue(Base):
    """One value of an option type (S, M, L; Biru, Merah; Original, Pedas)."""

    __tablename__ = "option_value"
    __table_args__ = (UniqueConstraint("option_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("product_option.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[str] = mapped_column(String(40))

    option: Mapped[ProductOption] = relationship(back_populates="values")


class ProductVariant(Base):
    """What is actually sold, stocked and ordered: one combination of option values, or the one
    default variant of a product without options. Carts, order lines, stock reservations and the
    inventory log all point here.

    `combo_key` is the value ids in option order joined by "." ("" for the default variant);
    unique per product, so the database itself refuses a duplicate combination.
    """

    __tablename__ = "product_variant"
    __table_args__ = (
        UniqueConstraint("product_id", "combo_key"),
        # A SKU is unique within one seller's catalogue (NULL = no SKU; NULLs never collide).
        UniqueConstraint("seller_id", "sku"),
        Index("ix_product_variant_product_position", "product_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))  # copied for the SKU rule
    combo_key: Mapped[str] = mapped_column(String(40), default="")
    value1_id: Mapped[int | None] = mapped_column(ForeignKey("option_value.id"))
    value2_id: Mapped[int | None] = mapped_column(ForeignKey("option_value.id"))
    value3_id: Mapped[int | None] = mapped_column(ForeignKey("option_value.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    sku: Mapped[str | None] = mapped_column(String(40))
    price: Mapped[int] = mapped_column(BigInteger)  # integer Rupiah
    stock: Mapped[int] = mapped_column(Integer, default=0)
    weight_grams: Mapped[int | None] = mapped_column(Integer)  # None: the product's weight
    image_id: Mapped[int | None] = mapped_column(ForeignKey("product_image.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    product: Mapped[Product] = relationship(back_populates="variants")
    value1: Mapped[OptionValue | None] = relationship(foreign_keys=[value1_id])
    value2: Mapped[OptionValue | None] = relationship(foreign_keys=[value2_id])
    value3: Mapped[OptionValue | None] = relationship(foreign_keys=[value3_id])
    image: Mapped[ProductImage | None] = relationship()

    @property
    def is_default(self) -> bool:
        return self.combo_key == ""

    @property
    def value_ids(self) -> tuple[int, ...]:
        return tuple(v for v in (self.value1_id, self.value2_id, self.value3_id) if v is not None)

    @property
    def values(self) -> list[OptionValue]:
        return [v for v in (self.value1, self.value2, self.value3) if v is not None]

    @property
    def label(self) -> str:
        """"M / Biru" (empty for the default variant)."""
        return " / ".join(v.value for v in self.values)

    @property
    def is_hidden(self) -> bool:
        return self.status == PRODUCT_HIDDEN

    @property
    def in_stock(self) -> bool:
        return self.product.made_to_order or self.stock > 0

    @staticmethod
    def key_for(value_ids: tuple[int, ...] | list[int]) -> str:
        return ".".join(str(v) for v in value_ids)

    def __repr__(self) -> str:
        return f"<ProductVariant {self.id} of {self.product_id} {self.combo_key!r}>"


class InventoryLog(Base):
    """Every stock change of a variant: who, when, by how much and why (services/inventory.py)."""

    __tablename__ = "inventory_log"
    __table_args__ = (Index("ix_inventory_log_product_created", "product_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variant.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    delta: Mapped[int] = mapped_column(Integer)
    stock_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # manual, import, created, order, order_cancelled
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
