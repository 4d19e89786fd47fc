"""Every address × every role, generated from the URL map: each rule and method (GET and POST;
only Flask's static files and the signature-checked Stripe webhook are left out, the webhook is
tested below) is requested as a visitor, a shopper, a seller, each officer duty, an officer the
Dinas has not confirmed and an admin, with the objects of their own side; then as side B's users
with side A's objects. The expected answer comes from the table in tests/security/world.py
(areas by path, procurement duties, ownership), never from the views. No combination may end in
a server error, and a rule the table does not classify fails the first test.
"""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import CartItem, ProcurementCartItem, Product, Seller
from tests.factories import gen_product
from tests.security.world import (
    BENDAHARA,
    CART_REFUSED,
    CROSS_ROLES,
    DENY,
    DUTY_ROLES,
    HOME,
    LOGIN,
    OK,
    PP,
    PPK,
    PROCUREMENT_GET_DUTIES,
    PROCUREMENT_POST_DUTIES,
    ROLES,
    area_of,
    base_role,
    build_url,
    client_for,
    expected,
    login_of,
    module_world,
    owned_args,
    rules,
    side_for,
    values,
)
from tests.stripe_fake import WEBHOOK_SECRET, signed

world = module_world(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)  # so the webhook checks signatures


def request(client, method: str, url: str):
    """The response, or the exception a view raised (TESTING propagates it instead of a 500)."""
    try:
        return client.open(url, method=method, buffered=True)  # buffered: file downloads are closed
    except Exception as error:  # noqa: BLE001 (every crash is reported as a failure of the matrix)
        return error


def problem(response, expectation: str, method: str) -> str | None:
    """Why `response` does not meet `expectation`, or None."""
    if isinstance(response, Exception):
        return f"crashed: {type(response).__name__}: {response}"
    status = response.status_code
    where = urlsplit(response.headers.get("Location", "")).path
    if expectation == OK:
        if status == 200 or (status == 302 and where != "/masuk"):
            return None
        if method == "POST" and status in {400, 409, 422}:
            return None  # the empty form refused for its content, not for who sent it
    elif expectation == DENY and status in {403, 404}:
        return None
    elif expectation == LOGIN and status == 302 and where == "/masuk":
        return None
    elif expectation == HOME and status == 302 and where == "/":
        return None
    elif expectation == CART_REFUSED and status == 302 and where in {"/keranjang", "/pengadaan/keranjang"}:
        return None
    return f"{status} {where}".strip() + f", expected {expectation}"


def run(app, w, role: str, pairs, *, foreign: bool = False) -> list[str]:
    """Request each (rule, method) as `role` with its own side's objects (`foreign`: with side
    A's objects, for side B's users); the failures."""
    client = client_for(app, login_of(w, role))
    failures = []
    for rule, method in pairs:
        url = build_url(app, rule, values(w, rule, "A" if foreign else side_for(rule)))
        why = problem(request(client, method, url), expected(rule, method, role), method)
        if why:
            failures.append(f"{role}: {method} {url} ({rule.endpoint}) -> {why}")
    return failures


def pairs_for(app, role: str, method: str):
    """The rules `role` is asked for: every one for the main roles; /pengadaan (and the officer
    application) for the other duties; for side B's users, every rule naming an object that the
    same role may use on its own side."""
    found = [(rule, m) for rule, m in rules(app) if m == method]
    if role in DUTY_ROLES:
        return [(rule, m) for rule, m in found if area_of(rule) in {"officer", "officer_signup"}]
    if role in CROSS_ROLES:
        return [(rule, m) for rule, m in found if owned_args(rule) and expected(rule, m, base_role(role)) == OK]
    return found


DESTRUCTIVE = ("/hapus", "/arsipkan", "/batalkan", "/tolak", "/nonaktifkan", "/cabut", "/tutup")


def last_the_destructive(pairs):
    """Deleting, archiving, cancelling and refusing after the rest (so the other actions still
    find their object), logging out at the very end (it ends the session the rest needs)."""
    return sorted(pairs, key=lambda p: (p[0].endpoint == "auth.logout", p[0].rule.endswith(DESTRUCTIVE)))


def test_every_rule_is_classified(world):
    app, w = world
    problems = []
    for rule, method in rules(app):
        if area_of(rule) is None:
            problems.append(f"{rule.rule}: no area in AREAS")
        try:
            values(w, rule, "A")
        except KeyError as error:
            problems.append(str(error))
        if area_of(rule) == "officer" and method == "POST" and rule.rule not in PROCUREMENT_POST_DUTIES:
            problems.append(f"{rule.rule}: a procurement POST without its duties in PROCUREMENT_POST_DUTIES")
    known = {rule.rule for rule, _method in rules(app)}
    stale = (set(PROCUREMENT_POST_DUTIES) | set(PROCUREMENT_GET_DUTIES)) - known
    assert not stale, f"duty table entries for rules that no longer exist: {sorted(stale)}"
    assert not problems, "\n".join(problems)
    assert len(known) > 150  # the whole site is there, not an empty map


def test_every_variable_names_an_object_the_world_seeded(world):
    app, w = world
    for rule, _method in rules(app):
        for side in "AB":
            for name, found in values(w, rule, side).items():
                assert found not in (None, ""), (rule.rule, name)


# The tests below run in this order on one world: refusals first (they change nothing), then
# every GET, then every POST (which do change the world, the destructive ones last).

@pytest.mark.parametrize("role", CROSS_ROLES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_someone_elses_objects_are_refused(world, role, method):
    """Side B's shopper, seller and officers on side A's addresses, orders, products, documents,
    requests, RFQs, Surat Pesanan and invoices: 403/404 (a cart line: back to one's own cart)."""
    app, w = world
    pairs = pairs_for(app, role, method)
    assert pairs
    failures = run(app, w, role, pairs, foreign=True)
    assert not failures, "\n".join(failures)


def test_someone_elses_cart_lines_are_not_touched(world):
    app, w = world
    ids = w.sides["A"].ids
    for login in (None, w.sides["B"].logins["shopper"]):
        client = client_for(app, login)
        assert client.post(f"/keranjang/{ids['cart_item']}", data={"quantity": 7}).status_code == 302
        assert client.post(f"/keranjang/{ids['cart_item']}/hapus").status_code == 302
    officer = client_for(app, w.sides["B"].logins["pp"])
    assert officer.post(f"/pengadaan/keranjang/{ids['proc_cart_item']}", data={"quantity": 7}).status_code == 302
    assert officer.post(f"/pengadaan/keranjang/{ids['proc_cart_item']}/hapus").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CartItem.quantity).where(CartItem.id == ids["cart_item"])) == 1
        assert db.session.scalar(select(ProcurementCartItem.quantity)
                                 .where(ProcurementCartItem.id == ids["proc_cart_item"])) == 3


def test_an_ordered_listing_is_refused_deletion_not_a_server_error(world):
    """Side A's product is in a shop order, a purchase request and a Surat Pesanan: deleting it
    is refused with the hint to archive (it used to end in an integrity error: a 500)."""
    app, w = world
    product_id = w.sides["A"].ids["product"]
    client = client_for(app, login_of(w, "seller"))
    page = client.get(f"/penjual/produk/{product_id}/hapus")
    assert page.status_code == 200
    response = client.post(f"/penjual/produk/{product_id}/hapus")
    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/penjual/produk/{product_id}"
    with app.app_context():
        assert db.session.get(Product, product_id) is not None


def test_a_listing_in_an_officers_cart_can_still_be_deleted(world):
    """Never ordered, only in a procurement cart: the delete goes through (the cart line with it)."""
    app, w = world
    with app.app_context():
        product = gen_product(seller=db.session.get(Seller, w.sides["A"].ids["seller"]), title="Produk Coba Hapus")
        db.session.commit()
        product_id, variant_id = product.id, product.variants[0].id
    officer = client_for(app, login_of(w, PP))
    assert officer.post("/pengadaan/keranjang/tambah", data={"variant_id": variant_id, "quantity": 2}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ProcurementCartItem.id).where(ProcurementCartItem.variant_id == variant_id))
    response = client_for(app, login_of(w, "seller")).post(f"/penjual/produk/{product_id}/hapus")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/penjual/produk"
    with app.app_context():
        assert db.session.get(Product, product_id) is None
        assert db.session.scalar(select(ProcurementCartItem.id).where(ProcurementCartItem.variant_id == variant_id)) is None


@pytest.mark.parametrize("role", ROLES + DUTY_ROLES)
def test_every_page_as_each_role(world, role):
    """Every GET rule as `role` with its own side's objects."""
    app, w = world
    failures = run(app, w, role, pairs_for(app, role, "GET"))
    assert not failures, "\n".join(failures)


# Side B is the Dinas console's target, so the admin goes first; the seller, whose actions
# (archiving, deleting the product) change what everyone else sees, last.
@pytest.mark.parametrize("role", ["anonymous", "admin", "pending_officer", BENDAHARA, PPK, PP, "shopper", "seller"])
def test_every_action_as_each_role(world, role):
    """Every POST rule as `role` with its own side's objects and an empty form (CSRF is off in
    this module: test_csrf.py covers it)."""
    app, w = world
    failures = run(app, w, role, last_the_destructive(pairs_for(app, role, "POST")))
    assert not failures, "\n".join(failures)


def test_unsigned_stripe_webhook_is_refused(world):
    app, _w = world
    client = client_for(app)
    body = b'{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}}'
    response = client.post("/webhooks/stripe", data=body, content_type="application/json")
    assert response.status_code == 400
    forged = client.post("/webhooks/stripe", data=body, content_type="application/json",
                         headers={"Stripe-Signature": "t=1,v1=deadbeef"})
    assert forged.status_code == 400
    _body, wrong = signed(body, secret="whsec_someone_else")
    assert client.post("/webhooks/stripe", data=body, content_type="application/json",
                       headers={"Stripe-Signature": wrong}).status_code == 400
