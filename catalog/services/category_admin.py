"""Care of the category tree by the Dinas: create, edit, reorder, merge and delete categories.

The tree has two levels (a top category and its children) and stays that way: every change that
would put a category under a child, or a child with products at the top, is refused with a
message. Products sit in children (services/listings.py refuses a top category), so merging a
child moves its products to another child.

Each change is one transaction with its audit event. Merging moves products with one Core
UPDATE, which the search hooks cannot see, so the moved ids are marked for reindexing
(search.hooks.mark_products) and follow the commit like any product change; products whose
category was renamed or moved under another top category are marked too (their search
documents carry the category names and the top category). Nothing caches the tree: the public
pages read it per request (services/catalogue.py, web/search/params.py).
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update

from catalog.extensions import db
from catalog.models import Category, Product
from catalog.models.procurement import PurchaseOrderLine, PurchaseRequestLine, Rfq
from catalog.models.products import PRODUCT_ACTIVE
from catalog.search import hooks as search_hooks
from catalog.services import audit
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from catalog.services.identifiers import unique_slug

NAME_MIN = 2
NAME_MAX = 80  # Category.name and name_en are String(80)
SLUG_MAX = 90

# The category drawings static/img/icons.svg holds (templates/_macros/icons.html draws them), with
# the name the Dinas picks from; "store" is the generic shop front.
ICONS = {
    "makanan": _l("Makanan"),
    "minuman": _l("Minuman"),
    "fashion": _l("Busana"),
    "batik": _l("Batik"),
    "kerajinan": _l("Kerajinan"),
    "rumah-tangga": _l("Rumah tangga"),
    "atk": _l("Alat tulis kantor"),
    "katering": _l("Katering"),
    "percetakan": _l("Percetakan"),
    "jasa": _l("Jasa"),
    "kecantikan": _l("Kecantikan"),
    "pertanian": _l("Pertanian"),
    "oleh-oleh": _l("Oleh-oleh"),
    "store": _l("Toko (umum)"),
}

UP = "naik"
DOWN = "turun"

MSG_NOT_FOUND = _l("Kategori tidak ditemukan.")
MSG_NAME_REQUIRED = _l("Nama kategori wajib diisi.")
MSG_NAME_SHORT = _l("Nama kategori minimal %(n)s karakter.", n=NAME_MIN)
MSG_NAME_LONG = _l("Nama kategori maksimal %(n)s karakter.", n=NAME_MAX)
MSG_NAME_EN_LONG = _l("Nama Inggris maksimal %(n)s karakter.", n=NAME_MAX)
MSG_ICON = _l("Pilih ikon dari daftar.")
MSG_PARENT_UNKNOWN = _l("Kategori induk tidak ditemukan. Pilih dari daftar.")
MSG_PARENT_NOT_TOP = _l("Kategori induk harus kategori utama: katalog hanya punya dua tingkat.")
MSG_PARENT_SELF = _l("Kategori tidak dapat menjadi induk bagi dirinya sendiri.")
MSG_MERGE_SELF = _l("Kategori tidak dapat digabung ke dirinya sendiri. Pilih kategori tujuan yang lain.")
MSG_TARGET_REQUIRED = _l("Pilih kategori tujuan.")
MSG_MOVE_EDGE = _l("Kategori ini sudah di ujung urutan.")
MSG_DIRECTION = _l("Arah urutan tidak dikenal.")


@dataclass
class CategoryData:
    """What the Dinas types for one category. `parent_id` None: a top category."""

    name: str
    name_en: str = ""
    icon: str = ""
    is_featured: bool = False
    parent_id: int | None = None


class CategoryInvalid(ValidationFailed):
    """One or more fields broke a rule; `errors` maps a CategoryData field to its message."""

    def __init__(self, errors: dict):
        field_name, message = next(iter(errors.items()))
        super().__init__(message, field=field_name)
        self.errors = errors


# --- reading ---------------------------------------------------------------------------------


@dataclass
class TreeNode:
    category: Category
    products: int = 0  # every status
    active: int = 0
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def total_products(self) -> int:
        return self.products + sum(child.products for child in self.children)


def product_counts() -> dict[int, tuple[int, int]]:
    """category id → (products of any status, active products), in one grouped statement."""
    rows = db.session.execute(
        select(Product.category_id, func.count(Product.id),
               func.sum(case((Product.status == PRODUCT_ACTIVE, 1), else_=0)))
        .group_by(Product.category_id)
    )
    return {category_id: (int(total), int(active or 0)) for category_id, total, active in rows}


def _ordered(stmt):
    return stmt.order_by(Category.position, Category.name, Category.id)


def category_tree() -> list[TreeNode]:
    """The whole tree in display order with product counts: two statements."""
    counts = product_counts()
    categories = list(db.session.scalars(_ordered(select(Category))))
    nodes = {c.id: TreeNode(c, *counts.get(c.id, (0, 0))) for c in categories}
    tops: list[TreeNode] = []
    for category in categories:
        node = nodes[category.id]
        if category.parent_id is None:
            tops.append(node)
        elif category.parent_id in nodes:
            nodes[category.parent_id].children.append(node)
    return tops


def top_categories() -> list[Category]:
    return list(db.session.scalars(_ordered(select(Category).where(Category.parent_id.is_(None)))))


def child_names(category_id: int) -> list[str]:
    return [c.name for c in _siblings(category_id)]


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(MSG_NOT_FOUND)
    return category


def _load(category_id: int) -> Category:
    # Locked on PostgreSQL: two admins changing the tree at once are serialised.
    category = db.session.get(Category, category_id, with_for_update=True)
    if category is None:
        raise NotFound(MSG_NOT_FOUND)
    return category


def _product_count(category_id: int) -> int:
    return db.session.scalar(select(func.count(Product.id)).where(Product.category_id == category_id)) or 0


def _child_count(category_id: int) -> int:
    return db.session.scalar(select(func.count(Category.id)).where(Category.parent_id == category_id)) or 0


def _product_ids(*category_ids: int) -> set[int]:
    if not category_ids:
        return set()
    return set(db.session.scalars(select(Product.id).where(Product.category_id.in_(category_ids))))


def _snapshot(category: Category) -> dict:
    return {"name": category.name, "name_en": category.name_en, "slug": category.slug, "icon": category.icon,
            "is_featured": category.is_featured, "parent_id": category.parent_id, "position": category.position}


# --- checking what was typed -----------------------------------------------------------------


def _clean(data: CategoryData) -> CategoryData:
    return CategoryData(
        name=" ".join((data.name or "").split()),
        name_en=" ".join((data.name_en or "").split()),
        icon=(data.icon or "").strip(),
        is_featured=bool(data.is_featured),
        parent_id=data.parent_id or None,
    )


def _check(data: CategoryData, category: Category | None) -> CategoryData:
    """The cleaned data, or CategoryInvalid naming every broken rule."""
    data = _clean(data)
    errors: dict = {}
    if not data.name:
        errors["name"] = MSG_NAME_REQUIRED
    elif len(data.name) < NAME_MIN:
        errors["name"] = MSG_NAME_SHORT
    elif len(data.name) > NAME_MAX:
        errors["name"] = MSG_NAME_LONG
    if len(data.name_en) > NAME_MAX:
        errors["name_en"] = MSG_NAME_EN_LONG
    # A name the sprite has no drawing for is refused, except the one the category already has
    # (the default tree names a few aliases, drawn by templates/_macros/icons.html).
    if data.icon not in ICONS and not (category is not None and data.icon == category.icon):
        errors["icon"] = MSG_ICON

    if data.parent_id is not None:
        parent = db.session.get(Category, data.parent_id)
        if parent is None:
            errors["parent_id"] = MSG_PARENT_UNKNOWN
        elif category is not None and parent.id == category.id:
            errors["parent_id"] = MSG_PARENT_SELF
        elif parent.parent_id is not None:
            errors["parent_id"] = MSG_PARENT_NOT_TOP
        elif category is not None and category.parent_id is None and (children := _child_count(category.id)):
            errors["parent_id"] = _l("Kategori ini punya %(n)s subkategori, jadi tidak dapat dipindah ke bawah "
                                     "kategori lain (katalog hanya punya dua tingkat). Pindahkan atau gabungkan "
                                     "subkategorinya dulu.", n=children)
    elif category is not None and category.parent_id is not None and (products := _product_count(category.id)):
        errors["parent_id"] = _l("Subkategori ini berisi %(n)s produk, dan produk harus berada di subkategori. "
                                 "Pindahkan produknya dengan menggabungkan kategori ini ke subkategori lain, atau "
                                 "tetap pilih kategori induk.", n=products)

    if "name" not in errors and "parent_id" not in errors and _name_taken(data.name, data.parent_id, category):
        errors["name"] = _l("Sudah ada kategori bernama “%(name)s” di tingkat ini. Pakai nama lain atau "
                            "gabungkan keduanya.", name=data.name)
    if errors:
        raise CategoryInvalid(errors)
    return data


def _name_taken(name: str, parent_id: int | None, category: Category | None) -> bool:
    stmt = select(Category.id).where(
        func.lower(Category.name) == name.lower(),
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id,
    )
    if category is not None:
        stmt = stmt.where(Category.id != category.id)
    return db.session.execute(stmt.limit(1)).first() is not None


def _slug_taken(slug: str) -> bool:
    return db.session.execute(select(Category.id).where(Category.slug == slug).limit(1)).first() is not None


def _siblings(parent_id: int | None, *, lock: bool = False) -> list[Category]:
    stmt = _ordered(select(Category).where(
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id))
    if lock:
        stmt = stmt.with_for_update()
    return list(db.session.scalars(stmt))


def _renumber(categories: list[Category]) -> None:
    """Positions 0, 1, 2… in the given order (only the rows that change are written)."""
    for position, category in enumerate(categories):
        if category.position != position:
            category.position = position


def _next_position(parent_id: int | None) -> int:
    stmt = select(func.max(Category.position)).where(
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id)
    highest = db.session.scalar(stmt)
    return 0 if highest is None else highest + 1


def _reindex_products_of(*category_ids: int) -> None:
    search_hooks.mark_products(db.session(), _product_ids(*category_ids))


# --- the changes -----------------------------------------------------------------------------


def create_category(data: CategoryData, admin_id: int) -> Category:
    """A new category, last among its siblings, with a unique slug from its name. Raises
    CategoryInvalid and writes nothing when a rule is broken."""
    data = _check(data, None)
    category = Category(
        name=data.name, name_en=data.name_en, icon=data.icon, is_featured=data.is_featured,
        parent_id=data.parent_id, position=_next_position(data.parent_id),
        slug=unique_slug(data.name, _slug_taken, max_length=SLUG_MAX, fallback="kategori"),
    )
    db.session.add(category)
    db.session.flush()
    audit.record("category.created", category, actor_id=admin_id, after=_snapshot(category))
    db.session.commit()
    return category


def update_category(category_id: int, data: CategoryData, admin_id: int) -> Category:
    """Save the name, English name, icon, featured flag and parent. The slug stays (links to the
    category keep working). Moving to another parent puts it last there and closes the gap it
    left. Raises NotFound, or CategoryInvalid and changes nothing."""
    category = _load(category_id)
    data = _check(data, category)
    before = _snapshot(category)
    old_parent = category.parent_id
    moved = data.parent_id != old_parent
    renamed = data.name != category.name or data.name_en != category.name_en
    category.name = data.name
    category.name_en = data.name_en
    category.icon = data.icon
    category.is_featured = data.is_featured
    if moved:
        category.parent_id = data.parent_id
        category.position = _next_position(data.parent_id)
        db.session.flush()
        _renumber(_siblings(old_parent))
    after = _snapshot(category)
    changed = [key for key in after if after[key] != before[key]]
    if not changed:
        db.session.rollback()
        return category
    if moved or renamed:
        # The search documents carry the category's names and its top category.
        _reindex_products_of(category.id)
    audit.record("category.updated", category, actor_id=admin_id,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    db.session.commit()
    return category


def move_category(category_id: int, direction: str, admin_id: int) -> Category:
    """One place up or down among its siblings; every sibling's position is renumbered 0, 1, 2…
    in the same transaction (old data may have gaps or ties). Raises NotFound, or
    InvalidTransition at either end of the list."""
    if direction not in (UP, DOWN):
        raise ValidationFailed(MSG_DIRECTION)
    category = _load(category_id)
    siblings = _siblings(category.parent_id, lock=True)
    index = next(i for i, c in enumerate(siblings) if c.id == category.id)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(siblings):
        db.session.rollback()
        raise InvalidTransition(MSG_MOVE_EDGE)
    before = category.position
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings)
    audit.record("category.reordered", category, actor_id=admin_id, before={"position": before},
                 after={"position": category.position, "direction": direction})
    db.session.commit()
    return category


@dataclass
class MergeOutcome:
    source_name: str
    target: Category
    products: int
    children: int


def merge_categories(source_id: int, target_id: int | None, admin_id: int) -> MergeOutcome:
    """Merge `source` into `target`: its products (and its subcategories, when both are top
    categories) move to `target`, procurement records naming it follow, then `source` is
    deleted. Refused, changing nothing: into itself, into its own child, a category with
    children into a child (a third level), a child's products into a top category."""
    if target_id is None:
        raise ValidationFailed(MSG_TARGET_REQUIRED, field="target_id")
    source = _load(source_id)
    if target_id == source.id:
        raise InvalidTransition(MSG_MERGE_SELF)
    target = db.session.get(Category, target_id, with_for_update=True)
    if target is None:
        raise ValidationFailed(_l("Kategori tujuan tidak ditemukan. Pilih dari daftar."), field="target_id")
    if target.parent_id == source.id:
        raise InvalidTransition(_l("Kategori tidak dapat digabung ke subkategorinya sendiri, karena subkategori itu "
                                   "ikut pindah. Pilih kategori tujuan di luar “%(name)s”.", name=source.name))
    children = [c.id for c in _siblings(source.id)]
    if source.parent_id is None and target.parent_id is not None and children:
        raise InvalidTransition(_l("“%(source)s” punya subkategori, jadi hanya dapat digabung ke kategori utama; "
                                   "menggabungkannya ke subkategori akan membuat tingkat ketiga.", source=source.name))
    if source.parent_id is not None and target.parent_id is None:
        raise InvalidTransition(_l("Produk harus berada di subkategori, jadi “%(source)s” hanya dapat digabung ke "
                                   "subkategori lain, bukan ke kategori utama.", source=source.name))

    moved_products = _product_ids(source.id)
    # Products of the moved children get a new top category in their search documents.
    reindex = moved_products | _product_ids(*children)
    if moved_products:
        db.session.execute(update(Product).where(Product.category_id == source.id)
                           .values(category_id=target.id).execution_options(synchronize_session=False))
    for model in (PurchaseRequestLine, PurchaseOrderLine, Rfq):
        db.session.execute(update(model).where(model.category_id == source.id)
                           .values(category_id=target.id).execution_options(synchronize_session=False))
    if children:
        start = _next_position(target.id)
        for offset, child in enumerate(_siblings(source.id)):
            child.parent_id = target.id
            child.position = start + offset
        db.session.flush()
    audit.record("category.merged", source, actor_id=admin_id, before=_snapshot(source),
                 after={"into": target.id, "into_name": target.name, "products": len(moved_products),
                        "children": children})
    old_parent = source.parent_id
    name = source.name
    db.session.execute(delete(Category).where(Category.id == source.id).execution_options(synchronize_session=False))
    db.session.expunge(source)
    _renumber(_siblings(old_parent))
    search_hooks.mark_products(db.session(), reindex)
    db.session.commit()
    return MergeOutcome(source_name=name, target=target, products=len(moved_products), children=len(children))


def delete_category(category_id: int, admin_id: int) -> str:
    """Delete an empty category (no products, no subcategories, not named by procurement
    records) and return its name. Raises NotFound, or InvalidTransition saying what is in it."""
    category = _load(category_id)
    products = _product_count(category.id)
    if products:
        raise InvalidTransition(_l("Kategori “%(name)s” masih berisi %(n)s produk, jadi tidak dapat dihapus. "
                                   "Gabungkan ke kategori lain agar produknya ikut pindah.",
                                   name=category.name, n=products))
    children = _child_count(category.id)
    if children:
        raise InvalidTransition(_l("Kategori “%(name)s” masih punya %(n)s subkategori, jadi tidak dapat dihapus. "
                                   "Hapus atau pindahkan subkategorinya dulu, atau gabungkan kategori ini.",
                                   name=category.name, n=children))
    if any(db.session.execute(select(model.id).where(model.category_id == category.id).limit(1)).first()
           for model in (PurchaseRequestLine, PurchaseOrderLine, Rfq)):
        raise InvalidTransition(_l("Kategori “%(name)s” tercatat di riwayat pengadaan instansi, jadi tidak dapat "
                                   "dihapus. Gabungkan ke kategori lain agar riwayatnya ikut pindah.",
                                   name=category.name))
    name, parent_id = category.name, category.parent_id
    audit.record("category.deleted", category, actor_id=admin_id, before=_snapshot(category))
    db.session.delete(category)
    db.session.flush()
    _renumber(_siblings(parent_id))
    db.session.commit()
    return name
