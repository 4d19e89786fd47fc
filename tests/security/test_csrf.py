"""CSRF on every state-changing request, with CSRF switched on as in production: every POST rule of
the URL map (the signature-checked Stripe webhook aside), sent without a token by a user the
route is for, is refused and the database is left exactly as it was; with the token from the
page's own form the same kind of request goes through.

Most forms are refused by the global check: 400 with the "form expired" page. The account and
seller-wizard forms are checked by their own form instead, so a long form comes back with what
was typed and a message beside it (tests/integration/test_auth.py shows that design); for those
the form's CSRF message must be on the page and nothing may change.
"""

import io

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import Address
from tests.conftest import csrf_token_from
from tests.console_factories import MINIMAL_PDF
from tests.factories import PASSWORD
from tests.security.world import allowed_role, build_url, client_for, login_of, module_world, rules, side_for, values

world = module_world(WTF_CSRF_ENABLED=True)

GLOBAL_REFUSAL = "Formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."
FORM_REFUSAL = "Formulir sudah kedaluwarsa atau tidak sah."  # beside the form, or flashed
# The forms that check their own token (and keep what was typed), by rule; the seller wizard's
# steps as a seller still registering (a verified one is sent to the dashboard before any form).
FORM_CHECKED = {
    "/masuk", "/daftar", "/akun", "/akun/kata-sandi", "/lupa-kata-sandi", "/atur-ulang-kata-sandi/<token>",
    "/penjual/daftar", "/penjual/daftar/lokasi", "/penjual/daftar/pajak-rekening", "/penjual/daftar/dokumen",
    "/penjual/daftar/periksa", "/penjual/dokumen", "/penjual/dokumen/<int:document_id>/hapus", "/penjual/profil",
}
WIZARD_STEPS = {"/penjual/daftar/lokasi", "/penjual/daftar/pajak-rekening", "/penjual/daftar/dokumen",
                "/penjual/daftar/periksa"}


def form_data(rule) -> dict:
    """What the form would send, but the token: a document upload names its form and a file."""
    if rule.rule in {"/penjual/dokumen", "/penjual/daftar/dokumen"}:
        return {"unggah": "nib", "nib-file": (io.BytesIO(MINIMAL_PDF), "nib.pdf")}
    return {}


def refused(client, response, rule) -> bool:
    html = response.get_data(as_text=True)
    if rule.rule not in FORM_CHECKED:
        return response.status_code == 400 and GLOBAL_REFUSAL in html
    if response.status_code == 302:  # refused with a message on the page it goes back to
        html = client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code in {200, 302, 400, 422} and FORM_REFUSAL in html


def snapshot() -> dict:
    """Every row of every table, in a comparable form."""
    found = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        found[table.name] = sorted(repr(tuple(row)) for row in rows)
    return found


def post_rules(app):
    return [(rule, method) for rule, method in rules(app) if method == "POST"]


def test_every_post_without_a_token_is_refused_and_changes_nothing(world):
    app, w = world
    with app.app_context():
        before = snapshot()
    failures = []
    clients = {}
    pairs = sorted(post_rules(app), key=lambda p: p[0].endpoint == "auth.logout")
    assert len(pairs) > 100
    for rule, method in pairs:
        role = "wizard_seller" if rule.rule in WIZARD_STEPS else allowed_role(rule, method)
        client = clients.setdefault(role, client_for(app, login_of(w, role)))
        url = build_url(app, rule, values(w, rule, side_for(rule)))
        response = client.post(url, data=form_data(rule))
        if not refused(client, response, rule):
            failures.append(f"{role}: POST {url} ({rule.endpoint}) -> {response.status_code}")
    assert not failures, "POSTs not refused for their missing CSRF token:\n" + "\n".join(failures)
    with app.app_context():
        after = snapshot()
    changed = sorted(name for name in before if before[name] != after[name])
    assert not changed, f"tables changed by POSTs without a token: {changed}"


def test_a_forged_token_is_refused_too(world):
    app, w = world
    client = client_for(app, login_of(w, "shopper"))
    response = client.post("/akun/alamat/baru", data={"csrf_token": "IjAwMDAwMDAwIg.ZZZZZZ.forged", "label": "Kantor"})
    assert response.status_code == 400
    assert GLOBAL_REFUSAL in response.get_data(as_text=True)


def _token(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return csrf_token_from(page.get_data(as_text=True))


@pytest.mark.parametrize(("role", "page", "action", "data"), [
    ("admin", "/admin/audit", "/admin/audit/periksa-rantai", {}),
    ("shopper", "/keranjang", "/keranjang/harga-baru", {}),
    ("seller", "/penjual/pengiriman", "/penjual/pengiriman", {}),
    ("pp", "/pengadaan/keranjang", "/pengadaan/keranjang/permintaan", {}),
])
def test_the_pages_own_token_is_accepted(world, role, page, action, data):
    app, w = world
    client = client_for(app, login_of(w, role))
    response = client.post(action, data={**data, "csrf_token": _token(client, page)})
    assert response.status_code != 400 or GLOBAL_REFUSAL not in response.get_data(as_text=True)
    assert response.status_code in {200, 302, 422}


def test_a_shopper_saves_an_address_with_the_forms_token(world):
    app, w = world
    client = client_for(app, login_of(w, "shopper"))
    token = _token(client, "/akun/alamat/baru")
    response = client.post("/akun/alamat/baru", data={
        "csrf_token": token, "label": "Kantor", "recipient": "Pembeli Sisi A", "phone": "081234567890",
        "kota": "36.74", "kecamatan": "36.74.06", "detail": "Jl. Siliwangi No. 5, RT 02/RW 03"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Address.id)).where(Address.label == "Kantor")) == 1


def test_logging_in_and_out_with_the_forms_token(world):
    app, w = world
    email = w.sides["A"].emails["shopper"]
    client = app.test_client()
    token = _token(client, "/masuk")
    response = client.post("/masuk", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    response = client.post("/keluar", data={"csrf_token": csrf_token_from(home.get_data(as_text=True))})
    assert response.status_code == 302
    assert client.get("/akun").status_code == 302  # logged out: the account page asks to log in
