"""A seeded "world" for the security suite: two sides, A and B, each with a shopper, a verified
seller and an agency team (Pejabat Pengadaan, PPK, Bendahara), and one object of every kind the
URL map takes an id for, made through the services exactly as the pages make them:

  shopper  an address, a cart line, a checkout (paid on side A, a transfer waiting with its proof
           on side B) with the seller's order in it;
  seller   a product with a photo and a variant, a delivery option, a document with its file,
           a government order (Surat Pesanan) accepted, delivered, received (BAST) and invoiced,
           a quotation on its agency's RFQ, money in its balance;
  agency   a purchase request, a request for quotation restricted to its seller's category,
           a procurement cart line, the Surat Pesanan, BAST and invoice above.

A side's objects belong to that side's users only: the A users get 403/404 on B's ids and the
other way round. `values(endpoint, side)` fills a rule's URL variables with a side's ids, from a
table written here (not read from the views). The Dinas console's targets are side B's objects
plus a spare user, so an admin deactivating "the user" never locks out a role under test.

Tests take the world through `module_world()`: one app and one world per test module, built once
and cleaned away after the module, so the matrix runs thousands of requests on one seed.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from catalog import create_app, storage
from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.models import (
    DeliveryOption,
    OfficerMembership,
    ProductImage,
    SellerDocument,
)
from catalog.models.base import utcnow
from catalog.services import accounts, checkout, ledger, payments, payouts
from catalog.services import cart as shop_cart
from catalog.services.procurement import cart as gov_cart
from catalog.services.procurement import orders as gov_orders
from catalog.services.procurement import rfq as rfqs
from tests.conftest import IsolatedClient, _clean, _config
from tests.console_factories import MINIMAL_PDF, gen_report, jpeg_bytes
from tests.factories import (
    KEC_PAMULANG,
    KOTA_TANGSEL,
    gen_address,
    gen_agency_team,
    gen_category,
    gen_ordered_request,
    gen_product,
    gen_seller,
    gen_user,
)

SIDES = ("A", "B")


@dataclass
class Side:
    """One side's users and the ids (or numbers, slugs, keys) of its objects by kind. After the
    build, `logins` holds each user's session id ("7:token") by role and the ORM objects are gone
    (they do not outlive the app context that made them)."""

    name: str
    shopper: object = None
    seller: object = None
    product: object = None
    pp: object = None
    ppk: object = None
    bendahara: object = None
    ids: dict = field(default_factory=dict)
    logins: dict = field(default_factory=dict)
    emails: dict = field(default_factory=dict)


@dataclass
class World:
    sides: dict
    logins: dict  # the admin, the spare user, an officer the Dinas has not confirmed, a seller in the wizard
    shared: dict
    spare_user_id: int = 0


def _jpeg_key(prefix: str) -> str:
    key = f"{prefix}/{storage.new_token()}.jpg"
    storage.save_bytes(key, jpeg_bytes())
    return key


def _photo(product) -> ProductImage:
    """A listing photo whose public renditions exist in storage (so /media answers 200)."""
    token = storage.new_token()
    for width in (320, 960):
        for ext in ("jpg", "webp"):
            buffer = io.BytesIO()
            Image.new("RGB", (40, 30), (200, 180, 160)).save(buffer, "JPEG" if ext == "jpg" else "WEBP")
            storage.save_bytes(f"p/{token}-{width}.{ext}", buffer.getvalue())
    image = ProductImage(product_id=product.id, key=token, width=40, height=30, position=0, alt="foto")
    db.session.add(image)
    db.session.flush()
    return image


def _build_side(name: str, admin) -> Side:
    side = Side(name)
    category = gen_category(name=f"Kategori Sisi {name}", slug=f"kategori-sisi-{name.lower()}")
    seller = gen_seller(business_name=f"Usaha Sisi {name}", slug=f"usaha-sisi-{name.lower()}",
                        npwp="0123456789012345", bank_name="BRI", bank_account_number=f"00210{ord(name)}123456",
                        bank_account_name=f"Pemilik Sisi {name}")
    side.seller = seller
    product = gen_product(seller=seller, category=category, title=f"Produk Sisi {name}", slug=f"produk-sisi-{name.lower()}",
                          price=50_000, stock=500)
    side.product = product
    image = _photo(product)
    option = DeliveryOption(seller_id=seller.id, kind="courier", name="JNE Reguler", fee=10_000)
    document = SellerDocument(seller_id=seller.id, kind="nib", number=f"NIB-{name}", file_key=f"d/{storage.new_token()}.pdf")
    storage.save_bytes(document.file_key, MINIMAL_PDF)
    db.session.add_all([option, document])
    shopper = gen_user(role="shopper", name=f"Pembeli Sisi {name}")
    side.shopper = shopper
    address = gen_address(shopper)
    db.session.commit()

    # The shopper's checkout by bank transfer, with a proof on file.
    shop_cart.add_item(user_id=shopper.id, token=None, variant_id=product.variants[0].id, quantity=2)
    the_cart = shop_cart.cart_for(user_id=shopper.id)
    total = checkout.quote(the_cart, address).total
    group = checkout.place_order(user=shopper, cart=the_cart, address=address, chosen={}, method="transfer",
                                 expected_total=total, checkout_token=checkout.new_checkout_token())
    group.payment.proof_key = _jpeg_key("bukti")
    group.payment.proof_content_type = "image/jpeg"
    db.session.commit()
    if name == "A":
        payments.confirm_transfer(group.payment, admin)
    # A line left in the cart (its id is a /keranjang/<item_id> variable).
    shop_cart.add_item(user_id=shopper.id, token=None, variant_id=product.variants[0].id, quantity=1)
    cart_item = shop_cart.cart_for(user_id=shopper.id).items[0]

    # The agency: a Surat Pesanan to this side's seller, accepted, delivered, received and invoiced.
    agency, pp, ppk, bendahara = gen_agency_team(name=f"Dinas Sisi {name}", code=f"DINAS-SISI-{name}",
                                                 address="Jl. Maruga No. 1")
    side.pp, side.ppk, side.bendahara = pp, ppk, bendahara
    db.session.commit()
    pr = gen_ordered_request(pp, ppk, [(product, 10)], title=f"Pengadaan Sisi {name}")
    po = pr.purchase_orders[0]
    quantities = {line.id: line.quantity for line in po.lines}
    gov_orders.accept(po, seller, actor_id=seller.user_id)
    gov_orders.record_delivery(po, seller, actor_id=seller.user_id, quantities=quantities)
    receipt = gov_orders.record_receipt(po, ppk, number=f"BAST/SISI/{name}", received_on=None, quantities=quantities)
    invoice = gov_orders.issue_invoice(po, seller, actor_id=seller.user_id)
    db.session.commit()
    gov_item = gov_cart.add(pp, product.variants[0].id, 3)

    # A request for quotation only this side's seller qualifies for, with its quotation.
    # Opened yesterday, quoted, past its deadline, with a counter-offer waiting for the seller.
    now = utcnow().astimezone(JAKARTA)
    yesterday = now - timedelta(days=1)
    rfq = rfqs.create_rfq(pp, title=f"RFQ Sisi {name}", delivery_address="Jl. Maruga No. 1",
                          delivery_kecamatan_code=KEC_PAMULANG, notes="", ppk_id=ppk.id,
                          lines=[("Barang sisi " + name, 10, "buah", 60_000)], deadline=now - timedelta(hours=2),
                          category_id=category.id, kota_code=None, umkk_only=True, now=yesterday)
    quotation = rfqs.submit_quotation(rfq, seller, {rfq.lines[0].id: (55_000, 3, "")}, notes="", now=yesterday)
    db.session.commit()
    rfqs.counter_offer(rfq, quotation, pp, {rfq.lines[0].id: 50_000}, message="Bisa Rp50.000?", now=now)
    db.session.commit()

    side.ids = {
        "category_slug": category.slug, "product": product.id, "product_slug": product.slug, "image": image.id,
        "variant": product.variants[0].id, "media_key": f"p/{image.key}-320.jpg", "delivery_option": option.id,
        "document": document.id, "store_slug": seller.slug, "seller": seller.id, "address": address.id,
        "cart_item": cart_item.id, "checkout": group.number, "shop_order": group.orders[0].number,
        "payment": group.payment.id, "request": pr.id, "po": po.id, "receipt": receipt.id, "invoice": invoice.id,
        "proc_cart_item": gov_item.id, "rfq": rfq.id, "quotation": quotation.id, "agency": agency.id,
        "membership": db.session.scalar(select(OfficerMembership.id).where(OfficerMembership.user_id == pp.id)),
        "budget": agency.budgets[0].id, "category": category.id,
    }
    return side


def build_world() -> World:
    """Seed both sides and the console's targets. Needs an app context; commits."""
    admin = gen_user(role="admin", name="Admin Dinas")
    db.session.commit()
    sides = {name: _build_side(name, admin) for name in SIDES}
    spare = gen_user(role="shopper", name="Pengguna Cadangan")
    wizard = gen_seller(status="pending", business_name="Usaha Masih Mendaftar").user  # in the wizard still
    pending = gen_user(role="officer", name="Pejabat Menunggu")
    db.session.add(OfficerMembership(user=pending, agency_id=sides["B"].ids["agency"], duty="pejabat_pengadaan",
                                     status="pending", letter_key=_jpeg_key("surat"), letter_kind="jpg"))
    report = gen_report(sides["B"].product, sides["A"].shopper)
    db.session.commit()
    for side in sides.values():
        ledger.adjust(side.seller.id, 150_000, "Saldo awal uji", actor_id=admin.id)
    batch = payouts.create_batch([sides["B"].seller.id], admin.id).batch
    db.session.commit()
    shared = {"batch": batch.id, "line": batch.lines[0].id, "report_product": report.product_id,
              "pending_membership": pending.membership.id, "stats_name": "umkm-kota", "user": spare.id,
              "reset_token": accounts.make_reset_token(spare), "kota_code": KOTA_TANGSEL}
    for side in sides.values():
        side.logins = {"shopper": side.shopper.get_id(), "seller": side.seller.user.get_id(),
                       "pp": side.pp.get_id(), "ppk": side.ppk.get_id(), "bendahara": side.bendahara.get_id()}
        side.emails = {"shopper": side.shopper.email, "seller": side.seller.user.email}
        side.shopper = side.seller = side.product = side.pp = side.ppk = side.bendahara = None
    logins = {"admin": admin.get_id(), "spare": spare.get_id(), "pending_officer": pending.get_id(),
              "wizard_seller": wizard.get_id()}
    return World(sides=sides, logins=logins, shared=shared, spare_user_id=spare.id)


# --- URL variables ---------------------------------------------------------------------------------

# What each URL variable names, by variable name; the endpoints whose variable of that name means
# something else are listed in ENDPOINT_KINDS.
ARG_KINDS = {
    "address_id": "address", "option_id": "delivery_option", "image_id": "image", "variant_id": "variant",
    "request_id": "request", "order_id": "po", "invoice_id": "invoice", "receipt_id": "receipt",
    "quotation_id": "quotation", "rfq_id": "rfq", "order_number": "shop_order", "agency_id": "agency",
    "membership_id": "membership", "budget_id": "budget", "category_id": "category", "seller_id": "seller",
    "product_id": "product", "document_id": "document", "payment_id": "payment", "batch_id": "batch",
    "line_id": "line", "user_id": "user", "name": "stats_name", "key": "media_key", "token": "reset_token",
}
ENDPOINT_KINDS = {
    ("public.category", "slug"): "category_slug",
    ("public.product", "slug"): "product_slug",
    ("public.report_product", "slug"): "product_slug",
    ("storefront.profile", "slug"): "store_slug",
    ("orders.detail", "number"): "checkout",
    ("orders.upload_proof", "number"): "checkout",
    ("orders.proof_file", "number"): "checkout",
    ("procurement.receipt_pdf", "id"): "receipt",
    ("procurement.print_receipt", "id"): "receipt",
    ("procurement.order_pdf", "id"): "po",
    ("procurement.print_order", "id"): "po",
    ("procurement.invoice_pdf", "id"): "invoice",
    ("procurement.print_invoice", "id"): "invoice",
    ("admin.report_detail", "product_id"): "report_product",
    ("admin.report_decide", "product_id"): "report_product",
    ("admin.officer_detail", "membership_id"): "pending_membership",
    ("admin.officer_decide", "membership_id"): "pending_membership",
    ("admin.officer_letter", "membership_id"): "pending_membership",
}


def kind_of(endpoint: str, arg: str) -> str:
    """The kind of object a rule's variable names; an unclassified one fails the matrix."""
    if (endpoint, arg) in ENDPOINT_KINDS:
        return ENDPOINT_KINDS[(endpoint, arg)]
    if arg == "item_id":
        return "proc_cart_item" if endpoint.startswith("procurement.") else "cart_item"
    if arg == "number" and endpoint.startswith("seller."):
        return "shop_order"
    if arg == "id" and endpoint.startswith("seller."):
        return "po"
    if arg in ARG_KINDS:
        return ARG_KINDS[arg]
    raise KeyError(f"{endpoint}: no kind for the URL variable <{arg}>; add it to tests/security/world.py")


def value(world: World, side: str, kind: str):
    if kind in world.shared:
        return world.shared[kind]
    return world.sides[side].ids[kind]


# Objects named in the query string rather than the path: the card payment's return pages take
# the checkout (?pesanan=), the regions API a kota (?induk=).
QUERY_KINDS = {
    "shop.card_done": {"pesanan": "checkout"},
    "shop.card_cancelled": {"pesanan": "checkout"},
    "shop.card_retry": {"pesanan": "checkout"},
    "public.regions_api": {"induk": "kota_code"},
}
PUBLIC_KINDS = {"category_slug", "product_slug", "store_slug", "media_key", "reset_token", "stats_name", "kota_code"}


def side_for(rule) -> str:
    """Whose objects a role uses on its own side: side A's, but the Dinas console works on side
    B's (so what an admin closes, hides or revokes is never what side A's users go on using)."""
    return "B" if rule.endpoint.startswith("admin.") else "A"


def values(world: World, rule, side: str) -> dict:
    """The rule's path variables and query parameters filled with `side`'s objects."""
    found = {arg: value(world, side, kind_of(rule.endpoint, arg)) for arg in rule.arguments}
    found.update({name: value(world, side, kind) for name, kind in QUERY_KINDS.get(rule.endpoint, {}).items()})
    return found


def owned_args(rule) -> bool:
    """Whether the rule names an object that belongs to one side (not a public slug or key)."""
    kinds = [kind_of(rule.endpoint, arg) for arg in rule.arguments] + list(QUERY_KINDS.get(rule.endpoint, {}).values())
    return any(kind not in PUBLIC_KINDS for kind in kinds)


# --- the app and clients ----------------------------------------------------------------------------

def module_world(**overrides):
    """A module-scoped fixture: (app, world) on the session's test database, seeded once and
    emptied after the module. Tests in the module must not use the function-scoped `app`."""

    @pytest.fixture(scope="module")
    def fixture(database_url, tmp_path_factory):
        app = create_app(_config(database_url, tmp_path_factory.mktemp("security"), **overrides))
        app.test_client_class = IsolatedClient
        try:
            with app.app_context():
                world = build_world()
            yield app, world
        finally:
            _clean(app)

    return fixture


def client_for(app, login: str | None = None):
    """A test client, logged in with the session id `login` the way Flask-Login stores it
    (None: anonymous)."""
    client = app.test_client()
    if login is not None:
        with client.session_transaction() as session:
            session["_user_id"] = login
            session["_fresh"] = True
    return client


def rules(app):
    """Every (rule, method) of the URL map but Flask's static files and the Stripe webhook."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in {"static", "webhooks.stripe_events"}:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def build_url(app, rule, args: dict) -> str:
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, args)


# --- who may do what: the expectations, written out (not read from the views) ---------------------

# Areas of the site by the rule's path: (prefix, exact?, area). The first match wins; a rule no
# entry matches fails test_every_rule_is_classified.
AREAS = [
    ("/admin", False, "admin"),
    ("/penjual/produk/templat.csv", True, "public"),  # the CSV template holds no data
    ("/penjual/daftar", True, "seller_signup"),  # step 1 of the seller wizard: visitors and shoppers too
    ("/penjual", False, "seller"),
    ("/pengadaan/daftar", True, "officer_signup"),  # any logged-in user may apply to be an officer
    ("/pengadaan", False, "officer"),
    ("/akun", False, "member"),
    ("/notifikasi", False, "member"),
    ("/checkout", False, "member"),
    ("/pesanan", False, "member"),
    ("/keluar", True, "member"),
    ("/produk/<slug>/laporkan", True, "member"),
    ("/masuk", True, "guest"),
    ("/daftar", True, "guest"),
    ("/lupa-kata-sandi", True, "guest"),
    ("/atur-ulang-kata-sandi", False, "guest"),
    ("/keranjang", False, "public"),
    ("/bahasa", True, "public"),
    ("/media", False, "public"),
    ("/api", False, "public"),
    ("/cari", True, "public"),
    ("/kategori", False, "public"),
    ("/produk", False, "public"),
    ("/toko", False, "public"),
    ("/tentang", True, "public"),
    ("/transparansi", True, "public"),
    ("/healthz", True, "public"),  # the load balancer's probes (catalog/web/ops)
    ("/readyz", True, "public"),
    ("/metrics", True, "metrics"),  # Prometheus's bearer token only; none is set here: 404 for all
    ("/", True, "public"),
]

PP, PPK, BENDAHARA = "pp", "ppk", "bendahara"
ANY_DUTY = frozenset({PP, PPK, BENDAHARA})
# Every state-changing procurement address and the duties that may use it; every GET page of
# /pengadaan is for any confirmed officer of the agency. A POST rule missing here fails the
# classification test.
PROCUREMENT_POST_DUTIES = {
    "/pengadaan/keranjang/<int:item_id>": {PP, PPK},
    "/pengadaan/keranjang/<int:item_id>/hapus": {PP, PPK},
    "/pengadaan/keranjang/permintaan": {PP, PPK},
    "/pengadaan/keranjang/tambah": {PP, PPK},
    "/pengadaan/permintaan/<int:request_id>/ajukan": {PP, PPK},
    "/pengadaan/permintaan/<int:request_id>/batalkan": {PP, PPK},
    "/pengadaan/permintaan/<int:request_id>/pesan": {PP},
    "/pengadaan/permintaan/<int:request_id>/setujui": {PPK},
    "/pengadaan/permintaan/<int:request_id>/tolak": {PPK},
    "/pengadaan/rfq/<int:rfq_id>/batalkan": {PP, PPK},
    "/pengadaan/rfq/<int:rfq_id>/pemenang": {PP, PPK},
    "/pengadaan/rfq/<int:rfq_id>/tawar-balik/<int:quotation_id>": {PP, PPK},
    "/pengadaan/rfq/baru": {PP, PPK},
    "/pengadaan/sp/<int:order_id>/bast": {PPK},
    "/pengadaan/sp/<int:order_id>/nilai": {PPK},
    "/pengadaan/tagihan/<int:invoice_id>/bayar": {BENDAHARA},
}
# The GET pages that are not for every duty: the cart and the new-RFQ form (Bendahara does not buy).
PROCUREMENT_GET_DUTIES = {"/pengadaan/keranjang": {PP, PPK}, "/pengadaan/rfq/baru": {PP, PPK}}

# The roles of the matrix. A "side" role acts with its side's objects; the *_b roles are side B's
# users, asked only for side A's objects (someone else's).
# Roles asked for every rule, and the officer duties (and an officer the Dinas has not confirmed)
# asked for the rules where duty matters: /pengadaan (elsewhere an officer is an officer).
ROLES = ["anonymous", "shopper", "seller", PP, "admin"]
DUTY_ROLES = [PPK, BENDAHARA, "pending_officer"]
CROSS_ROLES = ["shopper_b", "seller_b", "pp_b", "ppk_b", "bendahara_b"]
OFFICER_ROLES = {PP, PPK, BENDAHARA}

OK, LOGIN, HOME, DENY, CART_REFUSED = "ok", "login", "home", "deny", "cart-refused"


def area_of(rule) -> str | None:
    for prefix, exact, area in AREAS:
        if rule.rule == prefix or (not exact and rule.rule.startswith(prefix) and rule.rule[len(prefix)] in "/."):
            return area
    return None


def duties_for(rule, method: str) -> frozenset:
    if method == "POST":
        return frozenset(PROCUREMENT_POST_DUTIES[rule.rule])
    return frozenset(PROCUREMENT_GET_DUTIES.get(rule.rule, ANY_DUTY))


def base_role(role: str) -> str:
    return role.removesuffix("_b")


def expected(rule, method: str, role: str) -> str:
    """What `role` must get: OK (200, or 302 anywhere but the log-in page; a POST with the
    empty form may also be refused for its content: 400/409/422), LOGIN (302 to /masuk), HOME
    (302 to /), DENY (403/404) or CART_REFUSED (302 back to one's own shop or procurement cart,
    nothing changed). The *_b roles ask for side A's objects: someone else's."""
    area, role, foreign = area_of(rule), base_role(role), role.endswith("_b")
    owned = owned_args(rule)
    if area == "metrics":
        return DENY  # no session opens /metrics, not even the admin's
    if role == "anonymous":
        if area in {"public", "guest", "seller_signup"}:
            return CART_REFUSED if owned else OK
        return LOGIN
    if area == "public":
        return CART_REFUSED if owned and (foreign or role != "shopper") else OK
    if area == "guest":
        return HOME
    if area == "seller_signup":
        return OK if role in {"shopper", "seller"} else DENY
    if area == "officer_signup":
        return DENY if method == "POST" and role in {"seller", "admin"} else OK
    if area == "member":
        if rule.endpoint == "public.report_product" and role == "seller" and not foreign:
            return DENY  # a seller may not report its own product
        if not owned:
            return OK
        if rule.endpoint == "orders.proof_file" and role == "admin":
            return OK  # the Dinas checks transfer proofs
        return OK if role == "shopper" and not foreign else DENY
    if area == "admin":
        return OK if role == "admin" else DENY
    if area == "seller":
        return OK if role == "seller" and not (foreign and owned) else DENY
    if area == "officer":
        if role not in OFFICER_ROLES or role not in duties_for(rule, method):
            return DENY
        if foreign and owned:
            # Someone else's line in the procurement cart: back to one's own cart, nothing changed.
            return CART_REFUSED if rule.endpoint in {"procurement.cart_change", "procurement.cart_remove"} else DENY
        return OK
    raise AssertionError(f"unclassified area {area!r} for {rule.rule}")


def login_of(world: World, role: str) -> str | None:
    """The session id to log in as `role` (side A's user; *_b: side B's); None for a visitor."""
    if role == "anonymous":
        return None
    if role in world.logins:
        return world.logins[role]
    side = "B" if role.endswith("_b") else "A"
    return world.sides[side].logins[base_role(role)]


def allowed_role(rule, method: str) -> str:
    """The first role the table lets use the rule with its own side's objects."""
    if area_of(rule) == "metrics":
        return "anonymous"  # no session may (a 404 here): its refusal is the page checked
    for role in ["anonymous", "shopper", "seller", PP, PPK, BENDAHARA, "admin"]:
        if expected(rule, method, role) == OK:
            return role
    raise AssertionError(f"nobody may {method} {rule.rule}")
