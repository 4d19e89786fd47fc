"""Script and template injection saved into every text a user controls (names, business
details, listing titles and rich descriptions, option names, addresses, reports, reasons,
agency and category names, purchase requests) never comes back unescaped on any page that
shows it, to anyone; rich text loses its scripts, handlers and javascript: links."""

import pytest
from sqlalchemy import select

from catalog import search
from catalog.extensions import db
from catalog.models import Product
from catalog.models.base import utcnow
from catalog.services import cart, checkout, listings, verification
from catalog.services.listings import ListingData
from tests import factories as make
from tests.admin_accounts_factories import log_in
from tests.console_factories import gen_report
from tests.security.attack_payloads import (
    IMG_ONERROR,
    JS_URL,
    SCRIPT,
    TEMPLATE,
    XSS,
    template_evaluated,
    unescaped_payloads,
)

RICH = (f'<p>Kue enak</p>{SCRIPT}<img src="x.jpg" onerror="alert(1)"><a href="{JS_URL}">klik</a>'
        f'<a href="https://contoh.id" onclick="alert(1)">web</a><iframe src="https://evil.example"></iframe>{TEMPLATE}')


@pytest.fixture
def world(app):
    """Every user-controlled text field filled with the payload, through services and factories."""
    admin = make.gen_user(role="admin", name="Admin Dinas")
    shopper = make.gen_user(name=XSS[:100])
    parent = make.gen_category(name=f"Makanan {SCRIPT}")
    leaf = make.gen_category(name=XSS[:80], parent=parent)
    seller = make.gen_seller(business_name=XSS[:120], owner_name=XSS[:120], address=XSS[:255], description=RICH)
    db.session.commit()
    product = listings.create_listing(seller, ListingData(title=XSS[:100], category_id=leaf.id, description=RICH,
                                                          price=15_000, stock=10, status="active"),
                                      actor_id=seller.user_id)
    options = make.gen_variant_product(seller=seller, category=leaf, title=f"Kue opsi {IMG_ONERROR}",
                                  options=((f"Kue {SCRIPT}"[:40], ("S", IMG_ONERROR[:30])),))
    address = make.gen_address(shopper, label=XSS[:40], recipient=XSS[:100], detail=XSS)
    db.session.commit()
    cart.add_item(user_id=shopper.id, token=None, variant_id=product.variants[0].id, quantity=1)
    the_cart = cart.cart_for(user_id=shopper.id)
    group = checkout.place_order(user=shopper, cart=the_cart, address=address, chosen={}, method="transfer",
                                 expected_total=checkout.quote(the_cart, address).total,
                                 checkout_token=checkout.new_checkout_token())
    cart.add_item(user_id=shopper.id, token=None, variant_id=options.variants[0].id, quantity=1)
    gen_report(product, shopper, message=XSS)
    rejected = make.gen_seller(status="pending", business_name="Usaha Ditolak", submitted_at=utcnow())
    db.session.commit()
    verification.reject_seller(rejected.id, admin.id, XSS[:400])
    agency, pp, ppk, _bendahara = make.gen_agency_team(name=XSS[:120])
    plain = make.gen_product(seller=make.gen_seller(business_name="Toko Biasa"), title="Barang Biasa", price=50_000, stock=50)
    db.session.commit()
    request = make.gen_ordered_request(pp, ppk, [(product, 1), (plain, 1)], title=XSS[:120])
    search.reindex_products([product.id, options.id, plain.id])
    db.session.commit()
    return {"admin": admin, "shopper": shopper, "seller": seller, "rejected": rejected, "product": product,
            "options": options, "leaf": leaf, "group": group, "agency": agency, "pp": pp, "request": request}


def as_user(app, user):
    client = app.test_client()
    if user is not None:
        log_in(client, user)
    return client


def check(client, path, problems, *, shows_payload=True):
    response = client.get(path)
    html = response.get_data(as_text=True)
    if response.status_code != 200:
        problems.append((path, response.status_code))
        return html
    if found := unescaped_payloads(html):
        problems.append((path, found))
    if template_evaluated(html):
        problems.append((path, "{{7*7}} evaluated"))
    if shows_payload and "&lt;script&gt;alert(1)" not in html and "Kue" not in html:
        problems.append((path, "the payload is not on the page: nothing was tested"))
    return html


def test_rich_descriptions_lose_scripts_handlers_and_javascript_links(world):
    db.session.expire_all()
    description = world["product"].description
    lowered = description.lower()
    assert "<script" not in lowered and "onerror" not in lowered and "onclick" not in lowered
    assert "javascript:" not in lowered and "<iframe" not in lowered
    assert "Kue enak" in description


def test_public_pages_escape_every_payload(app, world):
    client = as_user(app, None)
    problems = []
    product, seller, leaf = world["product"], world["seller"], world["leaf"]
    for path in ("/", f"/produk/{product.slug}", f"/produk/{world['options'].slug}", f"/toko/{seller.slug}",
                 "/kategori", f"/kategori/{leaf.slug}", f"/kategori/{leaf.parent.slug}", "/cari?q=Kue",
                 "/cari?q=script+alert+onerror", "/cari?q=kue+enak"):
        check(client, path, problems)
    assert not problems


def test_search_highlighting_escapes_the_text_around_the_marks(app, world):
    client = as_user(app, None)
    html = client.get("/cari", query_string={"q": "alert script img onerror"}).get_data(as_text=True)
    assert not unescaped_payloads(html)
    assert "<mark>" in html or "Kue" in html


def test_suggestions_are_json_never_html(app, world):
    client = as_user(app, None)
    for query in ("Kue", "kue scr", "<script>", TEMPLATE):
        response = client.get("/api/saran", query_string={"q": query})
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.get_data(as_text=True)
        assert "49" not in body.replace("\\u003c", "<") or TEMPLATE not in query
    # A suggestion shows the seller's name as data; the page's script writes it as text.
    assert "Kue" in client.get("/api/saran", query_string={"q": "kue"}).get_data(as_text=True)


def test_shopper_pages_escape_every_payload(app, world):
    client = as_user(app, world["shopper"])
    problems = []
    group = world["group"]
    for path in ("/keranjang", "/pesanan", f"/pesanan/{group.number}", f"/pesanan/{group.orders[0].number}/faktur",
                 "/akun", "/akun/alamat", "/checkout", f"/produk/{world['product'].slug}/laporkan"):
        check(client, path, problems)
    assert not problems


def test_seller_pages_escape_every_payload(app, world):
    client = as_user(app, world["seller"].user)
    problems = []
    po = world["request"].purchase_orders
    order = world["group"].orders[0]
    paths = ["/penjual", "/penjual/produk", f"/penjual/produk/{world['product'].id}",
             f"/penjual/produk/{world['options'].id}/varian", "/penjual/profil", "/penjual/pesanan",
             f"/penjual/pesanan/{order.number}", "/penjual/pesanan-pemerintah"]
    paths += [f"/penjual/pesanan-pemerintah/{p.id}" for p in po if p.seller_id == world["seller"].id]
    for path in paths:
        check(client, path, problems)
    rejected = as_user(app, world["rejected"].user)
    for path in ("/penjual", "/penjual/daftar/periksa"):
        check(rejected, path, problems)
    assert not problems


def test_admin_pages_escape_every_payload(app, world):
    client = as_user(app, world["admin"])
    problems = []
    product, seller = world["product"], world["seller"]
    for path in ("/admin", "/admin/produk", "/admin/produk?q=Kue", f"/admin/produk/{product.id}",
                 "/admin/penjual?status=terverifikasi", "/admin/penjual?status=ditolak",
                 f"/admin/penjual/{seller.id}", f"/admin/penjual/{world['rejected'].id}", "/admin/pengguna",
                 f"/admin/pengguna/{world['shopper'].id}", "/admin/instansi", f"/admin/instansi/{world['agency'].id}",
                 "/admin/laporan", f"/admin/laporan/produk/{product.id}", "/admin/kategori",
                 "/admin/audit", "/admin/petugas?status=dikonfirmasi"):
        check(client, path, problems, shows_payload=path != "/admin")  # the console home: counts only
    assert not problems


def test_procurement_pages_escape_every_payload(app, world):
    client = as_user(app, world["pp"])
    problems = []
    pr = world["request"]
    mine = [po for po in pr.purchase_orders if po.seller_id == world["seller"].id]
    paths = ["/pengadaan/", "/pengadaan/permintaan", f"/pengadaan/permintaan/{pr.id}", "/pengadaan/sp",
             "/pengadaan/keranjang"]
    paths += [f"/pengadaan/sp/{po.id}" for po in mine] + [f"/pengadaan/sp/{po.id}/cetak" for po in mine]
    for path in paths:
        check(client, path, problems, shows_payload=path != "/pengadaan/keranjang")
    check(client, "/pengadaan/audit", problems, shows_payload=False)
    assert not problems


def test_payloads_are_stored_as_typed(world):
    """The escaping happens on output: what the user typed is kept (not mangled on input)."""
    db.session.expire_all()
    title = db.session.scalar(select(Product.title).where(Product.id == world["product"].id))
    assert SCRIPT in title and TEMPLATE in title
