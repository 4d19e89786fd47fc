"""What shoppers rely on from search, asserted against every backend: Whoosh always, and the
PostgreSQL backend when the tests run on PostgreSQL (CI runs both databases, so both backends
are tested). Data is made through the services and factories and committed: the after-commit
hook indexes it, nothing here reindexes by hand unless a test is about rebuilding."""

from dataclasses import replace
from datetime import timedelta

import pytest

from catalog import search
from catalog.extensions import db
from catalog.models import Product, SellerDocument
from catalog.models.base import utcnow
from catalog.search import (
    FACET_CATEGORY,
    FACET_CERTIFICATE,
    FACET_FLAGS,
    FACET_KECAMATAN,
    FACET_KOTA,
    FACET_PARENT,
    FACET_SCALE,
    SearchRequest,
)
from catalog.services import certificates, listings, verification
from catalog.services.listings import ListingData
from tests.dbsetup import using_postgres
from tests.factories import (
    KAB_TANGERANG,
    KEC_PAMULANG,
    KEC_SERPONG,
    KOTA_TANGERANG,
    KOTA_TANGSEL,
    gen_category,
    gen_product,
    gen_seller,
    gen_user,
    gen_variant_product,
)

BACKENDS = ["whoosh", "postgres"] if using_postgres() else ["whoosh"]
KEC_BATUCEPER = "36.71.03"  # Kota Tangerang
KEC_BALARAJA = "36.03.01"  # Kabupaten Tangerang


@pytest.fixture(params=BACKENDS)
def app(request, make_app):
    """The app on one backend, its context pushed (replaces conftest's `app` in this module)."""
    app = make_app(SEARCH_BACKEND=request.param)
    with app.app_context():
        yield app


def find(text: str = "", **filters) -> list[str]:
    """Titles of the first page of hits, in order."""
    return titles(search.search(SearchRequest(text=text, **filters)))


def titles(result) -> list[str]:
    by_id = {p.id: p.title for p in db.session.query(Product).filter(Product.id.in_([h.product_id for h in result.hits]))}
    return [by_id[h.product_id] for h in result.hits]


def ago(days: int):
    return utcnow() - timedelta(days=days)


@pytest.fixture
def leaf(app):
    return gen_category(name="Camilan", parent=gen_category(name="Makanan"))


def listing(seller, category, title, **fields) -> Product:
    data = ListingData(title=title, category_id=category.id, price=fields.pop("price", 15_000),
                       stock=fields.pop("stock", 10), status=fields.pop("status", "active"), **fields)
    return listings.create_listing(seller, data, actor_id=seller.user_id)


# --- the index follows every change ------------------------------------------------------------


def test_a_saved_listing_is_found_right_after_the_commit(leaf):
    seller = gen_seller()
    db.session.commit()
    listing(seller, leaf, "Keripik Tempe Sagu", description="Renyah, tanpa pengawet.")
    listing(seller, leaf, "Keripik Tempe Draf", status="draft")

    assert find("tempe") == ["Keripik Tempe Sagu"]
    assert find("pengawet") == ["Keripik Tempe Sagu"]  # the description is searched too


def test_editing_the_title_changes_what_finds_it(leaf):
    seller = gen_seller()
    db.session.commit()
    product = listing(seller, leaf, "Dodol Betawi Ketan Hitam")
    assert find("dodol") == ["Dodol Betawi Ketan Hitam"]

    data = replace(listings.listing_data_from(product), title="Wajik Ketan Gula Merah")
    listings.update_listing(product, data, actor_id=seller.user_id)

    assert find("dodol") == []
    assert find("wajik") == ["Wajik Ketan Gula Merah"]


def test_archiving_or_deleting_a_listing_removes_it(leaf):
    seller = gen_seller()
    db.session.commit()
    archived = listing(seller, leaf, "Rengginang Terasi Archived")
    deleted = listing(seller, leaf, "Rengginang Terasi Deleted")
    listing(seller, leaf, "Rengginang Terasi Tetap")
    assert len(find("rengginang")) == 3

    listings.archive_listing(archived, actor_id=seller.user_id)
    listings.delete_listing(deleted, actor_id=seller.user_id)

    assert find("rengginang") == ["Rengginang Terasi Tetap"]
    assert search.backend().document_count() == 1


def test_suspending_a_seller_removes_all_their_products_at_once(leaf):
    admin = gen_user(role="admin")
    seller = gen_seller(business_name="Dapur Bu Sri")
    other = gen_seller()
    db.session.commit()
    for title in ("Kue Lapis Legit", "Kue Nastar Nanas", "Kue Putri Salju"):
        listing(seller, leaf, title)
    listing(other, leaf, "Kue Bolu Pandan")
    assert len(find("kue")) == 4

    verification.suspend_seller(seller.id, admin.id, "Laporan penipuan dari pembeli.")
    assert find("kue") == ["Kue Bolu Pandan"]
    assert find("dapur bu sri") == []

    verification.reinstate_seller(seller.id, admin.id)
    assert len(find("kue")) == 4


def test_a_pending_sellers_products_are_never_found_until_verified(leaf):
    admin = gen_user(role="admin")
    pending = gen_seller(status="pending", submitted_at=ago(1))
    gen_product(seller=pending, category=leaf, title="Batik Cap Motif Kembang")
    db.session.commit()

    for text in ("batik", "batk", "bat", "motif kembang"):
        assert find(text) == [], text
    assert search.search(SearchRequest()).total == 0

    verification.verify_seller(pending.id, admin.id)
    assert find("batik") == ["Batik Cap Motif Kembang"]


def test_a_seller_renamed_is_found_by_the_new_name(leaf):
    seller = gen_seller(business_name="Toko Lama Sekali")
    gen_product(seller=seller, category=leaf, title="Kerupuk Udang")
    db.session.commit()
    assert find("lama sekali") == ["Kerupuk Udang"]

    seller.business_name = "Juragan Kerupuk Cisadane"
    db.session.commit()
    assert find("lama sekali") == []
    assert find("cisadane") == ["Kerupuk Udang"]


# --- ranking ----------------------------------------------------------------------------------
# In each test the product expected first is the older one: newer products win ties, so a tie
# would put it second and fail the test.


def test_a_title_match_ranks_above_a_description_only_match(leaf):
    seller = gen_seller()
    gen_product(seller=seller, category=leaf, title="Tas Anyaman Pandan", created_at=ago(10))
    gen_product(seller=seller, category=leaf, title="Dompet Kulit Sapi",
                description="<p>Serasi dengan tas anyaman dan sandal.</p>", created_at=ago(1))
    db.session.commit()

    assert find("anyaman") == ["Tas Anyaman Pandan", "Dompet Kulit Sapi"]


def test_the_exact_word_ranks_above_a_stemmed_match(leaf):
    # Sastrawi stems "kerajinan" to "rajin": a title with "Rajin" matches by stem only.
    seller = gen_seller()
    gen_product(seller=seller, category=leaf, title="Kerajinan Bambu Hias", created_at=ago(10))
    gen_product(seller=seller, category=leaf, title="Rajin Bambu Hias", created_at=ago(1))
    db.session.commit()

    assert find("kerajinan") == ["Kerajinan Bambu Hias", "Rajin Bambu Hias"]
    assert find("kerajinan bambu") == ["Kerajinan Bambu Hias", "Rajin Bambu Hias"]


def test_in_stock_products_come_before_out_of_stock_ones(leaf):
    seller = gen_seller()
    gen_product(seller=seller, category=leaf, title="Sambal Bawang Botol", stock=0, price=10_000, created_at=ago(1))
    gen_product(seller=seller, category=leaf, title="Bumbu Pecel", description="<p>Bukan sambal bawang.</p>",
                stock=4, price=30_000, created_at=ago(10))
    db.session.commit()

    assert find("sambal bawang") == ["Bumbu Pecel", "Sambal Bawang Botol"]
    assert find("sambal bawang", sort="termurah") == ["Bumbu Pecel", "Sambal Bawang Botol"]


def test_spelling_variants_find_each_other(leaf):
    seller = gen_seller()
    gen_product(seller=seller, category=leaf, title="Keripik Pedas Daun Jeruk")
    gen_product(seller=seller, category=leaf, title="Keripik Manis Gula Aren")
    db.session.commit()

    assert find("kripik pedes") == ["Keripik Pedas Daun Jeruk"]
    assert sorted(find("KRIPIK")) == sorted(find("keripik")) == ["Keripik Manis Gula Aren", "Keripik Pedas Daun Jeruk"]


def test_a_typo_finds_the_word_and_suggests_the_correction(leaf):
    seller = gen_seller()
    gen_product(seller=seller, category=leaf, title="Kain Batik Tulis Motif Kembang")
    gen_product(seller=seller, category=leaf, title="Kopi Robusta")
    db.session.commit()

    result = search.search(SearchRequest(text="batk"))
    assert titles(result) == ["Kain Batik Tulis Motif Kembang"]
    assert result.suggestion == "batik"
    # A query that finds enough offers no correction.
    assert search.search(SearchRequest(text="batik")).suggestion is None


def test_option_values_are_searchable(leaf):
    gen_variant_product(category=leaf, title="Keripik Singkong Kiloan",
                        options=(("Rasa", ("Original", "Balado")), ("Berat", ("100 g", "250 g"))))
    gen_product(category=leaf, title="Keripik Pisang Cokelat")
    db.session.commit()

    assert find("balado") == ["Keripik Singkong Kiloan"]
    assert find("keripik 250 gr") == ["Keripik Singkong Kiloan"]


# --- filters and facet counts ------------------------------------------------------------------


@pytest.fixture
def shelf(app):
    """Seven "kopi" products whose every count is known (and one hidden one that never counts):

    | title                   | seller (scale, koperasi, kecamatan) | category | price   | stock | TKDN | halal    |
    | Kopi Bubuk Robusta      | A mikro,        Pamulang            | Camilan  |  20.000 | 10    | 40   | valid    |
    | Kopi Susu Gula Aren     | A mikro,        Pamulang            | Minuman  |  15.000 |  0    |  0   |          |
    | Kopi Tubruk Hitam       | A mikro,        Pamulang            | Camilan  |  12.000 |  8    |  -   |          |
    | Kopi Arabika Sangrai    | B kecil, kop.,  Serpong             | Camilan  |  50.000 |  5    | 25   | valid    |
    | Kemeja Batik Motif Kopi | C menengah,     Batuceper (Kota)    | Batik    | 150.000 |  3    | 60   |          |
    | Kopi Jahe Instan        | D menengah kop., Balaraja (Kab.)    | Minuman  |  30.000 |  7    | 10   | expired  |
    | Kopi Luwak Liar         | E mikro, kop.,  Pamulang            | Camilan  | 300.000 |  1    | 24   |          |
    """
    food = gen_category(name="Makanan")
    snacks = gen_category(name="Camilan", parent=food)
    drinks = gen_category(name="Minuman", parent=food)
    fashion = gen_category(name="Fashion")
    batik = gen_category(name="Batik", parent=fashion)
    a = gen_seller(scale="mikro", kota=KOTA_TANGSEL, kecamatan=KEC_PAMULANG)
    b = gen_seller(scale="kecil", is_koperasi=True, kota=KOTA_TANGSEL, kecamatan=KEC_SERPONG)
    c = gen_seller(scale="menengah", kota=KOTA_TANGERANG, kecamatan=KEC_BATUCEPER)
    d = gen_seller(scale="menengah", is_koperasi=True, kota=KAB_TANGERANG, kecamatan=KEC_BALARAJA)
    e = gen_seller(scale="mikro", is_koperasi=True, kota=KOTA_TANGSEL, kecamatan=KEC_PAMULANG)
    hidden = gen_seller(status="suspended", scale="mikro", kota=KOTA_TANGSEL, kecamatan=KEC_PAMULANG)
    halal = {s.id: SellerDocument(seller=s, kind="halal", number=f"ID-{s.id}", expires_on=utcnow().date() + timedelta(days=30))
             for s in (a, b, d)}
    db.session.add_all(halal.values())
    db.session.commit()

    def add(seller, category, title, price, stock, tkdn, certified, days):
        product = listing(seller, category, title, price=price, stock=stock, tkdn_pct=tkdn,
                          certificate_ids=[halal[seller.id].id] if certified else [])
        product.created_at = ago(days)
        product.rating_sum, product.rating_count = days, 1  # a distinct rating each
        db.session.commit()
        return product

    add(a, snacks, "Kopi Bubuk Robusta", 20_000, 10, 40, True, 1)
    add(a, drinks, "Kopi Susu Gula Aren", 15_000, 0, 0, False, 2)
    add(a, snacks, "Kopi Tubruk Hitam", 12_000, 8, None, False, 3)
    add(b, snacks, "Kopi Arabika Sangrai", 50_000, 5, 25, True, 4)
    add(c, batik, "Kemeja Batik Motif Kopi", 150_000, 3, 60, False, 5)
    add(d, drinks, "Kopi Jahe Instan", 30_000, 7, 10, True, 6)
    add(e, snacks, "Kopi Luwak Liar", 300_000, 1, 24, False, 7)
    gen_product(seller=hidden, category=snacks, title="Kopi Rahasia Tersembunyi", price=1_000)
    db.session.commit()
    # Kopi Jahe's certificate runs out: the daily check marks it expired, and it no longer counts.
    halal[d.id].expires_on = utcnow().date() - timedelta(days=1)
    db.session.commit()
    assert certificates.check_certificates(utcnow().date()).expired == 1
    return {"snacks": snacks.id, "drinks": drinks.id, "batik": batik.id, "food": food.id, "fashion": fashion.id}


ALL_KOPI = {"Kopi Bubuk Robusta", "Kopi Susu Gula Aren", "Kopi Tubruk Hitam", "Kopi Arabika Sangrai",
            "Kemeja Batik Motif Kopi", "Kopi Jahe Instan", "Kopi Luwak Liar"}


def result_for(**fields):
    return search.search(SearchRequest(text=fields.pop("text", "kopi"), **fields))


@pytest.mark.parametrize("text", ["kopi", ""])
def test_facets_without_filters_count_every_match(shelf, text):
    result = result_for(text=text)
    assert result.total == 7 and set(titles(result)) == ALL_KOPI
    assert not result.total_is_estimate
    f = result.facets
    assert f[FACET_CATEGORY] == {shelf["snacks"]: 4, shelf["drinks"]: 2, shelf["batik"]: 1}
    assert f[FACET_PARENT] == {shelf["food"]: 6, shelf["fashion"]: 1}
    assert f[FACET_KOTA] == {KOTA_TANGSEL: 5, KOTA_TANGERANG: 1, KAB_TANGERANG: 1}
    assert f[FACET_KECAMATAN] == {KEC_PAMULANG: 4, KEC_SERPONG: 1, KEC_BATUCEPER: 1, KEC_BALARAJA: 1}
    assert f[FACET_SCALE] == {"mikro": 4, "kecil": 1, "menengah": 2, "koperasi": 3}
    assert f[FACET_CERTIFICATE] == {"halal": 2, "pirt": 0, "bpom": 0, "sni": 0}
    assert f[FACET_FLAGS] == {"umkk": 6, "tkdn": 3, "stok": 6}


@pytest.mark.parametrize("filters, expected", [
    pytest.param({"category_ids": "snacks"}, {"Kopi Bubuk Robusta", "Kopi Tubruk Hitam", "Kopi Arabika Sangrai",
                                              "Kopi Luwak Liar"}, id="category"),
    pytest.param({"kota": KOTA_TANGERANG}, {"Kemeja Batik Motif Kopi"}, id="kota"),
    pytest.param({"kecamatan": KEC_PAMULANG}, {"Kopi Bubuk Robusta", "Kopi Susu Gula Aren", "Kopi Tubruk Hitam",
                                                "Kopi Luwak Liar"}, id="kecamatan"),
    pytest.param({"scales": {"kecil"}}, {"Kopi Arabika Sangrai"}, id="kecil"),
    pytest.param({"scales": {"koperasi"}}, {"Kopi Arabika Sangrai", "Kopi Jahe Instan", "Kopi Luwak Liar"},
                 id="koperasi"),
    pytest.param({"scales": {"menengah", "kecil"}}, {"Kopi Arabika Sangrai", "Kemeja Batik Motif Kopi",
                                                     "Kopi Jahe Instan"}, id="two-scales"),
    pytest.param({"umkk": True}, ALL_KOPI - {"Kemeja Batik Motif Kopi"}, id="umkk"),
    pytest.param({"umkk": True, "scales": {"menengah"}}, {"Kopi Jahe Instan"}, id="umkk-menengah-koperasi"),
    pytest.param({"price_min": 20_000, "price_max": 50_000}, {"Kopi Bubuk Robusta", "Kopi Arabika Sangrai",
                                                             "Kopi Jahe Instan"}, id="price-range"),
    pytest.param({"price_min": 100_000}, {"Kemeja Batik Motif Kopi", "Kopi Luwak Liar"}, id="price-min"),
    pytest.param({"certificates": {"halal"}}, {"Kopi Bubuk Robusta", "Kopi Arabika Sangrai"}, id="halal"),
    pytest.param({"certificates": {"halal", "bpom"}}, set(), id="halal-and-bpom"),
    pytest.param({"tkdn": True}, {"Kopi Bubuk Robusta", "Kopi Arabika Sangrai", "Kemeja Batik Motif Kopi"},
                 id="tkdn"),
    pytest.param({"in_stock": True}, ALL_KOPI - {"Kopi Susu Gula Aren"}, id="in-stock"),
])
def test_each_filter_keeps_exactly_the_matching_products(shelf, filters, expected):
    if filters.get("category_ids"):
        filters = {**filters, "category_ids": frozenset({shelf[filters["category_ids"]]})}
    filters = {k: frozenset(v) if isinstance(v, set) else v for k, v in filters.items()}
    for text in ("kopi", ""):
        result = result_for(text=text, **filters)
        assert set(titles(result)) == expected, text
        assert result.total == len(expected)


def test_the_koperasi_count_is_the_number_of_cooperatives_whatever_scale_is_chosen(shelf):
    for scales in (frozenset({"mikro"}), frozenset({"kecil"}), frozenset()):
        facets = result_for(scales=scales).facets[FACET_SCALE]
        assert facets == {"mikro": 4, "kecil": 1, "menengah": 2, "koperasi": 3}, scales


def test_a_facet_ignores_its_own_filter_and_applies_the_others(shelf):
    result = result_for(kota=KOTA_TANGSEL, scales=frozenset({"mikro"}))
    assert result.total == 4
    f = result.facets
    assert f[FACET_KOTA] == {KOTA_TANGSEL: 4}  # mikro sellers only, in any kota
    assert f[FACET_SCALE] == {"mikro": 4, "kecil": 1, "koperasi": 2}  # in Tangsel, any scale
    assert f[FACET_CATEGORY] == {shelf["snacks"]: 3, shelf["drinks"]: 1}  # both filters
    assert f[FACET_KECAMATAN] == {KEC_PAMULANG: 4}
    assert f[FACET_FLAGS] == {"umkk": 5, "tkdn": 1, "stok": 3}  # umkk: Tangsel, any scale

    result = result_for(category_ids=frozenset({shelf["snacks"]}), certificates=frozenset({"halal"}), tkdn=True,
                        in_stock=True)
    assert set(titles(result)) == {"Kopi Bubuk Robusta", "Kopi Arabika Sangrai"}
    f = result.facets
    assert f[FACET_CATEGORY] == {shelf["snacks"]: 2}  # the halal, TKDN, in-stock ones of any category
    assert f[FACET_PARENT] == {shelf["food"]: 2}
    assert f[FACET_CERTIFICATE]["halal"] == 2  # of the TKDN in-stock snacks, two are halal
    assert f[FACET_FLAGS]["tkdn"] == 2  # halal in-stock snacks with TKDN ≥ 25
    assert f[FACET_FLAGS]["stok"] == 2


def test_a_text_query_narrows_the_facets(shelf):
    result = result_for(text="kopi arabika")
    assert titles(result) == ["Kopi Arabika Sangrai"]
    assert result.facets[FACET_SCALE] == {"kecil": 1, "koperasi": 1}
    assert result.facets[FACET_KECAMATAN] == {KEC_SERPONG: 1}


# --- sorting and pages -------------------------------------------------------------------------


# In-stock first in every order: the out-of-stock Kopi Susu is always last.
SORTED = {
    "termurah": ["Kopi Tubruk Hitam", "Kopi Bubuk Robusta", "Kopi Jahe Instan", "Kopi Arabika Sangrai",
                 "Kemeja Batik Motif Kopi", "Kopi Luwak Liar", "Kopi Susu Gula Aren"],
    "termahal": ["Kopi Luwak Liar", "Kemeja Batik Motif Kopi", "Kopi Arabika Sangrai", "Kopi Jahe Instan",
                 "Kopi Bubuk Robusta", "Kopi Tubruk Hitam", "Kopi Susu Gula Aren"],
    "terbaru": ["Kopi Bubuk Robusta", "Kopi Tubruk Hitam", "Kopi Arabika Sangrai", "Kemeja Batik Motif Kopi",
                "Kopi Jahe Instan", "Kopi Luwak Liar", "Kopi Susu Gula Aren"],
    "rating": ["Kopi Luwak Liar", "Kopi Jahe Instan", "Kemeja Batik Motif Kopi", "Kopi Arabika Sangrai",
               "Kopi Tubruk Hitam", "Kopi Bubuk Robusta", "Kopi Susu Gula Aren"],
}


@pytest.mark.parametrize("sort, expected", SORTED.items())
def test_sorting(shelf, sort, expected):
    assert titles(result_for(sort=sort)) == expected
    assert titles(result_for(text="", sort=sort)) == expected


def test_pages_split_the_results_without_overlap_and_clamp_out_of_range_pages(shelf):
    seen = []
    for page in (1, 2, 3, 4):
        result = result_for(sort="termurah", page=page, per_page=2)
        assert result.page == page and result.pages == 4 and result.total == 7
        seen += titles(result)
    assert seen == titles(result_for(sort="termurah"))

    beyond = result_for(sort="termurah", page=99_999, per_page=2)
    assert beyond.page == 4 and titles(beyond) == ["Kopi Susu Gula Aren"]
    first = result_for(sort="termurah", page=0, per_page=2)
    assert first.page == 1 and titles(first) == ["Kopi Tubruk Hitam", "Kopi Bubuk Robusta"]
    assert result_for(sort="termurah", page=-3, per_page=2).page == 1


# --- input that must never fail -----------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "a" * 10_000,
    "kopi " * 2_000,
    "dan yang untuk",
    "* ? \" ( ) AND OR NOT ~ ^ : kopi",
    "kopi:* & !robusta | <-> 'x'",
    "' OR 1=1 --",
    "\"; DROP TABLE search_document; --",
    "%_%\\",
    "\\'",
    "kopi\x00robusta",
    "кофе 咖啡 قهوة",
    "🌶️ kopi 🔥",
])
def test_any_text_gets_results_or_nothing_never_an_error(shelf, text):
    result = result_for(text=text)
    assert result.total >= 0 and result.page == 1


def test_only_stop_words_is_told_apart_from_no_results(shelf):
    assert result_for(text="dan yang untuk").only_stop_words
    assert not result_for(text="kopi").only_stop_words


@pytest.mark.parametrize("filters", [
    {"price_min": -5, "price_max": -1},
    {"price_min": 500_000, "price_max": 10},
    {"scales": frozenset({"raksasa"})},
    {"certificates": frozenset({"iso9001"})},
    {"kota": "99.99"},
    {"kecamatan": "'; --"},
    {"category_ids": frozenset({987_654})},
])
def test_impossible_or_unknown_filters_give_no_results_not_an_error(shelf, filters):
    result = result_for(**filters)
    assert result.total == 0 and result.hits == [] and result.page == 1


# --- suggestions ---------------------------------------------------------------------------------


def test_suggestions_correct_the_spelling_and_offer_phrases_and_sellers(leaf):
    sri = gen_seller(business_name="Dapur Bu Sri", slug="dapur-bu-sri")
    ani = gen_seller(business_name="Camilan Mbak Ani", slug="camilan-mbak-ani")
    batik = gen_seller(business_name="Batik Cisadane", slug="batik-cisadane")
    gen_product(seller=sri, category=leaf, title="Keripik Singkong Pedas Manis")
    gen_product(seller=sri, category=leaf, title="Keripik Pedas Daun Jeruk")
    gen_product(seller=ani, category=leaf, title="Keripik Pedas Level 10")
    gen_product(seller=batik, category=leaf, title="Kain Batik Tulis")
    db.session.commit()

    found = search.suggest("kripik pedes")
    assert found.phrases[0] == "keripik pedas"
    assert "keripik singkong pedas" in found.phrases
    assert {s.slug for s in found.sellers} == {"dapur-bu-sri", "camilan-mbak-ani"}
    assert found.sellers[0].slug == "dapur-bu-sri"  # most of the matches

    unfinished = search.suggest("keripik ped")
    assert "keripik pedas" in unfinished.phrases
    assert search.suggest("batk").phrases[0] == "batik"
    assert search.suggest("").phrases == []


@pytest.mark.parametrize("text", ["kopi", ""])
def test_nearest_puts_the_office_kecamatan_then_its_kota_first(shelf, text):
    """An officer in Serpong: the Serpong seller, then the rest of Tangerang Selatan, then the
    other kota; in-stock before out-of-stock as in every order."""
    found = titles(result_for(text=text, sort="terdekat", near_kota=KOTA_TANGSEL, near_kecamatan=KEC_SERPONG))
    assert found[0] == "Kopi Arabika Sangrai"
    assert set(found[1:4]) == {"Kopi Bubuk Robusta", "Kopi Tubruk Hitam", "Kopi Luwak Liar"}
    assert set(found[4:6]) == {"Kemeja Batik Motif Kopi", "Kopi Jahe Instan"}
    assert found[6] == "Kopi Susu Gula Aren"  # out of stock, though in Pamulang


def test_nearest_without_an_office_is_the_relevance_order(shelf):
    assert titles(result_for(sort="terdekat")) == titles(result_for(sort="relevan"))


# --- rebuilding -----------------------------------------------------------------------------------


def test_rebuilding_gives_the_same_results_as_incremental_indexing(shelf):
    requests = [
        SearchRequest(text="kopi"),
        SearchRequest(text="kopi", sort="termurah", scales=frozenset({"mikro"})),
        SearchRequest(text="", kota=KOTA_TANGSEL, certificates=frozenset({"halal"})),
        SearchRequest(text="batk"),
        SearchRequest(text="kripik pedes"),
    ]

    def outcome(request):
        result = search.search(request)
        return [h.product_id for h in result.hits], result.total, result.facets, result.suggestion

    before = [outcome(r) for r in requests]
    progress = []
    count = search.rebuild(progress.append)

    assert count == 7 and progress and progress[-1] == 7
    assert search.backend().document_count() == 7
    assert [outcome(r) for r in requests] == before


# --- the PostgreSQL backend on its own -------------------------------------------------------------


def test_the_postgres_backend_refuses_a_database_that_is_not_postgresql():
    from catalog.search.postgres_backend import PostgresBackend

    with pytest.raises(RuntimeError, match="PostgreSQL"):
        PostgresBackend("sqlite:///instance/katalog.db")


if using_postgres():
    # Huge match sets are sampled (catalog/search/postgres_backend.py): shrink "huge" to three
    # rows so the seven kopi products take that path.

    @pytest.fixture
    def sampled(monkeypatch):
        from catalog.search import postgres_backend

        monkeypatch.setattr(postgres_backend, "COUNT_CAP", 3)
        monkeypatch.setattr(postgres_backend, "RANK_CAP", 3)
        # The planner's estimate of the matches is tested on its own below; here it is exact.
        monkeypatch.setattr(postgres_backend.PostgresBackend, "_matches_estimate", lambda self, conn, query, sample: 7)

    only_postgres = pytest.mark.parametrize("app", ["postgres"], indirect=True)

    @only_postgres
    def test_a_huge_match_set_gives_an_estimated_total_and_says_so(app, shelf, sampled):
        result = result_for()
        assert result.total_is_estimate and result.total == 7
        assert sum(result.facets[FACET_CATEGORY].values()) in (6, 7, 8)  # 4 sampled rows × 7/4, rounded
        assert set(titles(result)) == ALL_KOPI  # the page asked for more than the sample: ranked on its own

    @only_postgres
    @pytest.mark.parametrize("sort", ["termurah", "termahal", "terbaru"])
    def test_price_and_date_orders_stay_exact_on_a_huge_match_set(app, shelf, sampled, sort):
        expected = SORTED[sort]
        seen = []
        for page in (1, 2, 3, 4):
            result = result_for(sort=sort, page=page, per_page=2)
            assert result.page == page
            seen += titles(result)
        assert seen == expected

    @only_postgres
    def test_a_small_filtered_total_stays_exact_within_a_huge_match_set(app, shelf, sampled):
        result = result_for(kota=KOTA_TANGERANG)
        assert not result.total_is_estimate
        assert result.total == 1 and titles(result) == ["Kemeja Batik Motif Kopi"]

    @only_postgres
    def test_the_number_of_matches_is_estimated_from_how_far_the_sample_reached(app, shelf, monkeypatch):
        from sqlalchemy import text

        from catalog.search import postgres_backend
        from catalog.search.postgres_backend import PostgresBackend, _tsquery

        monkeypatch.setattr(postgres_backend, "COUNT_CAP", 3)
        backend = PostgresBackend(str(db.engine.url))
        # 4 matches found in the first 10 of 100 pages: about 40 in all.
        kopi = _tsquery(("kopi",))
        with db.engine.connect() as conn:
            # How far the sample reached: 4 matches in the first 10 of 100 pages, about 40.
            assert backend._matches_estimate(conn, kopi, {"n_rows": 4, "pages": 100, "first_block": 0,
                                                          "last_block": 9}) == 40
            # Rows behind 50 pages of free space (after a rebuild): 4 in 10 of the 50 pages with rows.
            assert backend._matches_estimate(conn, kopi, {"n_rows": 4, "pages": 100, "first_block": 50,
                                                          "last_block": 59}) == 20
            # A sample that reached the end: the planner's statistics know better (all 7 have "kopi").
            conn.execute(text("ANALYZE search_document"))
            assert backend._matches_estimate(conn, kopi, {"n_rows": 4, "pages": 1, "first_block": 0,
                                                          "last_block": 0}) == 7
            assert backend._matches_estimate(conn, None, {"n_rows": 4}) == 7  # no text: the table's rows

    @only_postgres
    def test_a_rebuild_leaves_no_dead_rows_behind(app, shelf):
        """Every row a rebuild replaces is dead; left to autovacuum they doubled the pages a
        search reads at 1,000,000 products. rebuild() vacuums once its reading has ended."""
        from sqlalchemy import text

        search.rebuild()
        with db.engine.connect() as conn:
            dead, vacuumed = conn.execute(text(
                "SELECT n_dead_tup, last_vacuum IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'search_document'")).one()
        assert (dead, vacuumed) == (0, True)
        assert search.backend().document_count() == 7

    @only_postgres
    def test_a_document_of_a_product_deleted_meanwhile_is_not_written(app, leaf):
        from catalog.search.documents import documents_for

        product = gen_product(category=leaf, title="Kue Cucur Gula Merah")
        db.session.commit()
        documents, _removed = documents_for([product.id])
        db.session.delete(product)
        db.session.commit()

        search.backend().index(documents, [])  # the after-commit hook of a slower request
        assert search.backend().document_count() == 0

    @only_postgres
    def test_a_typo_of_a_common_word_is_corrected_from_the_statistics_alone(app, leaf, monkeypatch):
        from sqlalchemy import text

        from catalog.search.postgres_backend import PostgresBackend

        seller = gen_seller()
        for n in range(3):
            gen_product(seller=seller, category=leaf, title=f"Kain Batik Tulis {n}")
        db.session.commit()
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE search_document"))
        monkeypatch.setattr(PostgresBackend, "_has_trigram", lambda self, conn: False)  # no trigram lookup

        result = search.search(SearchRequest(text="batk"))
        assert result.suggestion == "batik" and result.total == 3
