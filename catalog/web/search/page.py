"""What /cari shows, built from the search result: the hit cards (products loaded in one bounded
query, highlighted), the filter panel with a count beside each value, the chips of the chosen
filters, and the basic search when the index cannot answer."""

import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from catalog import formatting, search
from catalog.extensions import db
from catalog.models import Category, Product
from catalog.search import (
    FACET_CATEGORY,
    FACET_CERTIFICATE,
    FACET_FLAGS,
    FACET_KECAMATAN,
    FACET_KOTA,
    FACET_PARENT,
    FACET_SCALE,
    SearchResult,
    SearchUnavailable,
    analysis,
)
from catalog.search.highlight import highlight, snippet
from catalog.services import catalogue, regions
from catalog.services.catalogue import ProductPage
from catalog.services.richtext import plain_text
from catalog.web.search.params import SCALE_CHOICES, SearchParams

log = logging.getLogger(__name__)

SCALE_LABELS = {"mikro": _l("Mikro"), "kecil": _l("Kecil"), "menengah": _l("Menengah"), "koperasi": _l("Koperasi")}
CERTIFICATE_LABELS = {"halal": _l("Halal"), "pirt": "P-IRT", "bpom": "BPOM", "sni": "SNI"}
SORT_LABELS = {
    "relevan": _l("Paling sesuai"),
    "termurah": _l("Harga termurah"),
    "termahal": _l("Harga termahal"),
    "terbaru": _l("Terbaru"),
    "rating": _l("Rating tertinggi"),
    "terdekat": _l("Terdekat dari kantor saya"),  # officers only (params.near)
}
POPULAR_CATEGORIES = 8


@dataclass
class Hit:
    product: Product
    title: Markup
    snippet: Markup


@dataclass
class Choice:
    """One value of a filter: what the form sends, what it says, how many products have it."""

    value: str
    label: str
    count: int
    chosen: bool
    children: list["Choice"] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """A value no product has is left out, unless it is the one chosen (so it can be undone)."""
        return self.chosen or self.count > 0


@dataclass
class Filters:
    categories: list[Choice]
    kota: list[Choice]
    kecamatan: list[Choice]  # only once a kota is chosen: three kota have 60 kecamatan
    scales: list[Choice]
    umkk: Choice
    certificates: list[Choice]
    tkdn: Choice
    in_stock: Choice


@dataclass
class Chip:
    label: str
    args: dict  # the query string without this filter


@dataclass
class ResultsPage:
    params: SearchParams
    hits: list[Hit] = field(default_factory=list)
    page: ProductPage | None = None  # None: nothing was asked
    total_is_estimate: bool = False
    suggestion: str | None = None
    only_stop_words: bool = False
    nothing_to_search: bool = False  # only punctuation or symbols: no word to look for
    fallback: bool = False  # the index could not answer; these are the basic search's results
    filters: Filters | None = None
    chips: list[Chip] = field(default_factory=list)
    popular: list[Category] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        return self.page is not None

    @property
    def sort_choices(self) -> list[tuple[str, str]]:
        return [(key, label) for key, label in SORT_LABELS.items() if key != "terdekat" or self.params.near]


def build(params: SearchParams, per_page: int, locale: str) -> ResultsPage:
    """Run the search for these parameters and gather what the page shows. Never raises for
    the index: a missing or broken one is logged and the basic search answers instead."""
    page = ResultsPage(params=params, popular=_popular(params))
    if not params.query and not params.has_filters:
        return page  # the prompt: nothing asked yet
    try:
        result = search.search(params.search_request(per_page))
    except SearchUnavailable as error:
        log.warning("search index unavailable, basic search used instead: %s", error)
        return _fallback(page, per_page)

    page.only_stop_words = result.only_stop_words
    page.nothing_to_search = bool(params.query) and not result.terms and not result.only_stop_words
    page.chips = chips(params, locale)
    if page.only_stop_words or page.nothing_to_search:
        return page  # every product "matches" no words at all: say why instead of listing them
    products = load_products([hit.product_id for hit in result.hits])
    page.hits = [_hit(product, result.terms) for product in products]
    page.page = ProductPage(items=products, total=result.total, page=result.page, per_page=result.per_page,
                            sort=params.sort)
    page.total_is_estimate = result.total_is_estimate
    page.suggestion = result.suggestion
    # With nothing found every count is 0: the chips and the empty state's advice say more.
    page.filters = filters(params, result, locale) if result.total else None
    return page


def load_products(product_ids: list[int]) -> list[Product]:
    """The visible products among these ids, in the given order, with what a card shows: a fixed
    number of statements however many hits. An id that is no longer visible (the index lags
    a moment behind a suspension) is skipped."""
    if not product_ids:
        return []
    found = {product.id: product for product in db.session.scalars(
        catalogue.visible_products().where(Product.id.in_(product_ids)))}
    return [found[pid] for pid in product_ids if pid in found]


def _hit(product: Product, terms: tuple[str, ...]) -> Hit:
    return Hit(product=product, title=highlight(product.title, terms),
               snippet=snippet(plain_text(product.description), terms) if terms else Markup(""))


def _fallback(page: ResultsPage, per_page: int) -> ResultsPage:
    params = page.params
    sort = params.sort if params.sort != "terdekat" else None  # the basic search knows no offices
    basic = catalogue.search_products(params.query, sort=sort, page=params.page, per_page=per_page)
    page.fallback = True
    page.page = basic.products
    if basic.products is not None:
        terms = analysis.query_terms(params.query).terms
        page.hits = [_hit(product, terms) for product in basic.products.items]
    return page


def _popular(params: SearchParams) -> list[Category]:
    """Top categories to offer when nothing matches: the featured ones, else the first few."""
    tops = params.tree.tops if params.tree else []
    featured = [c for c in tops if c.is_featured]
    return (featured or tops)[:POPULAR_CATEGORIES]


def filters(params: SearchParams, result: SearchResult, locale: str) -> Filters:
    facets = result.facets
    parents = facets.get(FACET_PARENT, {})
    leaves = facets.get(FACET_CATEGORY, {})
    chosen_top = params.top_category
    categories = []
    for top in params.tree.tops:
        choice = Choice(top.slug, top.display_name(locale), parents.get(top.id, 0), params.category == top)
        if chosen_top is not None and top.id == chosen_top.id:
            choice.children = [
                Choice(child.slug, child.display_name(locale), leaves.get(child.id, 0), params.category == child)
                for child in params.tree.children.get(top.id, ())
            ]
            choice.chosen = True  # the open branch, whether the top or one of its children is chosen
        categories.append(choice)

    kota_counts = facets.get(FACET_KOTA, {})
    kota = [Choice(code, ref.name, kota_counts.get(code, 0), params.kota == code)
            for code in catalogue.KOTA_CHOICES if (ref := regions.get(code))]
    kecamatan = []
    if params.kota:
        counts = facets.get(FACET_KECAMATAN, {})
        kecamatan = [Choice(ref.code, ref.name, counts.get(ref.code, 0), params.kecamatan == ref.code)
                     for ref in regions.children(params.kota)]

    scale_counts = facets.get(FACET_SCALE, {})
    certificate_counts = facets.get(FACET_CERTIFICATE, {})
    flags = facets.get(FACET_FLAGS, {})
    return Filters(
        categories=categories,
        kota=kota,
        kecamatan=kecamatan,
        scales=[Choice(s, str(SCALE_LABELS[s]), scale_counts.get(s, 0), s in params.scales) for s in SCALE_CHOICES],
        umkk=Choice("1", str(_l("Hanya UMK-K")), flags.get("umkk", 0), params.umkk),
        certificates=[Choice(kind, str(label), certificate_counts.get(kind, 0), kind in params.certificates)
                      for kind, label in CERTIFICATE_LABELS.items()],
        tkdn=Choice("1", str(_l("TKDN ≥ 25%")), flags.get("tkdn", 0), params.tkdn),
        in_stock=Choice("1", str(_l("Stok tersedia")), flags.get("stok", 0), params.in_stock),
    )


def chips(params: SearchParams, locale: str) -> list[Chip]:
    """One removable chip per chosen filter value ("Mikro ×"), in the order of the panel."""
    out: list[Chip] = []
    if params.category:
        out.append(Chip(params.category.display_name(locale), params.without("kategori").args()))
    if params.kota and (ref := regions.get(params.kota)):
        out.append(Chip(ref.name, params.without("kota").args()))
    if params.kecamatan and (ref := regions.get(params.kecamatan)):
        out.append(Chip(str(_l("Kec. %(name)s", name=ref.name)), params.without("kecamatan").args()))
    for scale in params.scales:
        out.append(Chip(str(SCALE_LABELS[scale]), params.without("skala", scale).args()))
    if params.umkk:
        out.append(Chip(str(_l("Hanya UMK-K")), params.without("umkk").args()))
    if params.price_min is not None or params.price_max is not None:
        out.append(Chip(price_label(params.price_min, params.price_max), params.without("harga").args()))
    for kind in params.certificates:
        out.append(Chip(str(CERTIFICATE_LABELS[kind]), params.without("sertifikat", kind).args()))
    if params.tkdn:
        out.append(Chip(str(_l("TKDN ≥ 25%")), params.without("tkdn").args()))
    if params.in_stock:
        out.append(Chip(str(_l("Stok tersedia")), params.without("stok").args()))
    return out


def price_label(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{formatting.rupiah(low)} – {formatting.rupiah(high)}"
    if low is not None:
        return str(_l("Mulai %(price)s", price=formatting.rupiah(low)))
    return str(_l("Sampai %(price)s", price=formatting.rupiah(high)))

