"""Reading /cari's query string into a catalog.search.SearchRequest.

Every value is checked against what exists (a category slug, one of the three kota, a
kecamatan of that kota, a known scale or certificate); anything else is dropped, and where a
shopper typed something we cannot use (a negative price, "abc" as a price) the page says so
in a note. No address a shopper edits or a bot invents can fail the page.
"""

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from catalog.extensions import db
from catalog.models import Category
from catalog.models.regions import LEVEL_KECAMATAN
from catalog.models.sellers import CERTIFICATE_KINDS, SCALES
from catalog.search import MAX_PAGE, SCALE_KOPERASI, SORT_NEAR, SORT_RELEVANCE, SORTS, SearchRequest
from catalog.services import catalogue, regions
from catalog.services.errors import ValidationFailed
from catalog.services.money import parse_rupiah

SCALE_CHOICES = (*SCALES, SCALE_KOPERASI)
KOTA_CHOICES = catalogue.KOTA_CHOICES
ON = "1"  # the value of a switched-on flag: ?umkk=1, ?tkdn=1, ?stok=1

NOTE_UNKNOWN = _l("Sebagian pilihan filter di alamat ini tidak dikenali, jadi diabaikan.")
NOTE_SWAPPED = _l("Harga minimum lebih besar dari harga maksimum, jadi keduanya kami tukar.")


@dataclass(frozen=True)
class CategoryTree:
    """The two-level category tree, read in one statement (it has a few dozen rows)."""

    tops: list[Category]
    children: dict[int, list[Category]]
    by_slug: dict[str, Category]
    by_id: dict[int, Category]

    def top_of(self, category: Category) -> Category:
        return self.by_id.get(category.parent_id, category) if category.parent_id else category

    def ids_under(self, category: Category) -> frozenset[int]:
        """The category and its children: products may sit in a top category itself too."""
        return frozenset({category.id, *(c.id for c in self.children.get(category.id, ()))})


def category_tree() -> CategoryTree:
    rows = list(db.session.scalars(select(Category).order_by(Category.position, Category.name, Category.id)))
    children: dict[int, list[Category]] = {}
    for category in rows:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    return CategoryTree(
        tops=[c for c in rows if not c.parent_id],
        children=children,
        by_slug={c.slug: c for c in rows},
        by_id={c.id: c for c in rows},
    )


@dataclass(frozen=True)
class SearchParams:
    """What /cari was asked, cleaned. `args()` gives the same in canonical URL form, for page
    links, chips and the filter form."""

    query: str = ""
    category: Category | None = None
    kota: str | None = None
    kecamatan: str | None = None
    scales: tuple[str, ...] = ()
    umkk: bool = False
    price_min: int | None = None
    price_max: int | None = None
    certificates: tuple[str, ...] = ()
    tkdn: bool = False
    in_stock: bool = False
    sort: str = SORT_RELEVANCE
    page: int = 1
    notes: tuple = ()  # lazy strings the page shows above the results
    # The office "terdekat" measures from: an officer's agency (kota, kecamatan), else None.
    near: tuple[str, str | None] | None = None
    tree: CategoryTree | None = field(default=None, compare=False, repr=False)

    @property
    def has_filters(self) -> bool:
        return bool(self.category or self.kota or self.kecamatan or self.scales or self.umkk
                    or self.price_min is not None or self.price_max is not None or self.certificates
                    or self.tkdn or self.in_stock)

    @property
    def top_category(self) -> Category | None:
        return self.tree.top_of(self.category) if self.category and self.tree else None

    def search_request(self, per_page: int) -> SearchRequest:
        return SearchRequest(
            text=self.query,
            category_ids=self.tree.ids_under(self.category) if self.category and self.tree else frozenset(),
            kota=self.kota,
            kecamatan=self.kecamatan,
            scales=frozenset(self.scales),
            umkk=self.umkk,
            price_min=self.price_min,
            price_max=self.price_max,
            certificates=frozenset(self.certificates),
            tkdn=self.tkdn,
            in_stock=self.in_stock,
            sort=self.sort,
            page=self.page,
            per_page=per_page,
            near_kota=self.near[0] if self.near else None,
            near_kecamatan=self.near[1] if self.near else None,
        )

    def without(self, name: str, value: str | None = None) -> "SearchParams":
        """These parameters with one filter (or one value of a many-valued filter) removed."""
        if name == "skala":
            return replace(self, scales=tuple(s for s in self.scales if s != value))
        if name == "sertifikat":
            return replace(self, certificates=tuple(c for c in self.certificates if c != value))
        if name == "kota":  # a kecamatan means nothing without its kota
            return replace(self, kota=None, kecamatan=None)
        if name == "harga":
            return replace(self, price_min=None, price_max=None)
        attribute = {"kategori": "category", "kecamatan": "kecamatan", "umkk": "umkk", "tkdn": "tkdn",
                     "stok": "in_stock"}[name]
        return replace(self, **{attribute: None if attribute in ("category", "kecamatan") else False})

    def cleared(self) -> "SearchParams":
        return SearchParams(query=self.query, sort=self.sort, tree=self.tree, near=self.near)

    def args(self, **changes) -> dict:
        """The query string as a dict for url_for: only what is set, lists for the many-valued
        filters, no page (a changed filter starts again at page 1; pagination adds ?hal=)."""
        out = {
            "q": self.query or None,
            "kategori": self.category.slug if self.category else None,
            "kota": self.kota,
            "kecamatan": self.kecamatan,
            "skala": list(self.scales) or None,
            "umkk": ON if self.umkk else None,
            "harga_min": self.price_min,
            "harga_maks": self.price_max,
            "sertifikat": list(self.certificates) or None,
            "tkdn": ON if self.tkdn else None,
            "stok": ON if self.in_stock else None,
            "urut": self.sort if self.sort != SORT_RELEVANCE else None,
        }
        out.update(changes)
        return {key: value for key, value in out.items() if value is not None}

    def hidden_fields(self, *names: str) -> list[tuple[str, str]]:
        """(name, value) pairs of the named parameters that are set, for a form's hidden inputs."""
        pairs = []
        for name, value in self.args().items():
            if name in names:
                pairs += [(name, str(v)) for v in (value if isinstance(value, list) else [value])]
        return pairs


def _first(args: MultiDict, name: str) -> str:
    value = args.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _flag(args: MultiDict, name: str) -> bool:
    return _first(args, name).lower() in (ON, "ya", "true", "on")


def _choices(args: MultiDict, name: str, allowed: tuple[str, ...], notes: list) -> tuple[str, ...]:
    """The allowed values of a many-valued parameter, in the order of `allowed`, deduplicated."""
    given = {v.strip().lower() for v in args.getlist(name) if v.strip()}
    if given - set(allowed):
        notes.append(NOTE_UNKNOWN)
    return tuple(value for value in allowed if value in given)


def _price(args: MultiDict, name: str, notes: list) -> int | None:
    raw = _first(args, name)
    if not raw:
        return None
    try:
        return parse_rupiah(raw)
    except ValidationFailed as error:
        if name == "harga_min":
            notes.append(_l("Harga minimum diabaikan: %(reason)s", reason=error.message))
        else:
            notes.append(_l("Harga maksimum diabaikan: %(reason)s", reason=error.message))
        return None


def parse(args: MultiDict, near: tuple[str, str | None] | None = None) -> SearchParams:
    """The cleaned search parameters of a request's query string. Never raises. `near` is the
    office an officer's "terdekat" sort measures from; without it that sort is relevance."""
    notes: list = []
    tree = category_tree()

    category = None
    slug = _first(args, "kategori")
    if slug:
        category = tree.by_slug.get(slug)
        if category is None:
            notes.append(NOTE_UNKNOWN)

    kota = _first(args, "kota") or None
    if kota and kota not in KOTA_CHOICES:
        notes.append(NOTE_UNKNOWN)
        kota = None
    kecamatan = _first(args, "kecamatan") or None
    if kecamatan:
        ref = regions.get(kecamatan)
        if ref is None or ref.level != LEVEL_KECAMATAN or ref.parent_code not in KOTA_CHOICES:
            notes.append(NOTE_UNKNOWN)
            kecamatan = None
        elif kota is None:
            kota = ref.parent_code  # a kecamatan alone names its kota too
        elif ref.parent_code != kota:
            kecamatan = None  # the shopper switched kota: the old kecamatan no longer applies

    price_min, price_max = _price(args, "harga_min", notes), _price(args, "harga_maks", notes)
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
        notes.append(NOTE_SWAPPED)

    sort = _first(args, "urut")
    if sort and sort not in SORTS:
        notes.append(NOTE_UNKNOWN)
    if sort == SORT_NEAR and near is None:
        sort = SORT_RELEVANCE  # a shared link from an officer: nothing to measure from here
    return SearchParams(
        query=catalogue.clean_query(args.get("q")),
        category=category,
        kota=kota,
        kecamatan=kecamatan,
        scales=_choices(args, "skala", SCALE_CHOICES, notes),
        umkk=_flag(args, "umkk"),
        price_min=price_min,
        price_max=price_max,
        certificates=_choices(args, "sertifikat", CERTIFICATE_KINDS, notes),
        tkdn=_flag(args, "tkdn"),
        in_stock=_flag(args, "stok"),
        sort=sort if sort in SORTS else SORT_RELEVANCE,
        page=min(catalogue.page_number(args.get("hal")), MAX_PAGE),
        notes=tuple(dict.fromkeys(notes)),
        tree=tree,
        near=near,
    )
