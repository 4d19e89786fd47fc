"""Session and remember-me cookies a script cannot read and other sites do not send along, and
every `next=` / return address refusing to send the browser off the site."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.extensions import db
from catalog.models import SellerDocument
from tests.admin_accounts_factories import log_in
from tests.factories import PASSWORD, gen_officer, gen_product, gen_seller, gen_user
from tests.security.attack_payloads import OFF_SITE_TARGETS, stays_on_site


def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def attributes(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


# --- cookies -----------------------------------------------------------------------------------


def test_session_and_remember_cookies_of_a_real_login_are_httponly_and_samesite_lax(client):
    gen_user(email="siti@contoh.id")
    db.session.commit()
    response = client.post("/masuk", data={"email": "siti@contoh.id", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookies = set_cookies(response)
    assert {"session", "remember_token"} <= cookies.keys()
    for name in ("session", "remember_token"):
        attrs = attributes(cookies[name])
        assert "httponly" in attrs, name
        assert "samesite=lax" in attrs, name


def test_production_cookies_are_sent_over_https_only(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    with app.app_context():
        gen_user(email="aman@contoh.id")
        db.session.commit()
    response = app.test_client().post("/masuk", data={"email": "aman@contoh.id", "password": PASSWORD,
                                                      "remember": "y"})
    for name, header in set_cookies(response).items():
        assert "secure" in attributes(header), name


# --- the log-in and registration forms -----------------------------------------------------------


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_login_never_redirects_off_site(client, target):
    gen_user(email="budi@contoh.id")
    db.session.commit()
    response = client.post("/masuk", data={"email": "budi@contoh.id", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert stays_on_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_login_page_does_not_carry_an_off_site_next_into_its_form_or_links(client, target):
    html = unescape(client.get("/masuk", query_string={"next": target}).get_data(as_text=True))
    carried = re.findall(r'name="next"[^>]*value="([^"]*)"', html)
    carried += [value for link in re.findall(r'href="([^"]*)"', html) for value in parse_qs(urlsplit(link).query).get("next", [])]
    assert carried, "the page carries no next= at all: the test would prove nothing"
    for value in carried:
        assert value == "" or stays_on_site(value), value
    assert target not in carried


def test_login_still_follows_a_same_site_next(client):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    response = client.post("/masuk", data={"email": "ani@contoh.id", "password": PASSWORD, "next": "/pesanan"})
    assert response.headers["Location"] == "/pesanan"


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_registration_never_redirects_off_site(client, target):
    response = client.post("/daftar", data={"name": "Dewi Lestari", "email": "dewi@contoh.id", "phone": "081234567890",
                                            "password": "Kata-Sandi-Baru-2026", "confirm": "Kata-Sandi-Baru-2026",
                                            "password_confirm": "Kata-Sandi-Baru-2026", "accept_terms": "y",
                                            "next": target})
    assert response.status_code == 302, "registration failed: the test would prove nothing"
    assert stays_on_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/bahasa", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert stays_on_site(response.headers["Location"]), response.headers["Location"]


# --- other forms that return to the page they came from -----------------------------------------


def add_to_cart_stays_on_site(client, path, product, target, *extra_forms):
    """Adding (a real combination, an unknown one, a broken form) always returns on-site."""
    for data in ({"variant_id": str(product.variants[0].id), "quantity": "1"}, {"variant_id": "999999", "quantity": "1"},
                 *extra_forms):
        response = client.post(path, data={**data, "next": target})
        assert response.status_code == 302
        assert stays_on_site(response.headers["Location"]), (data, response.headers["Location"])


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_add_to_cart_never_redirects_off_site(client, target):
    product = gen_product()
    db.session.commit()
    add_to_cart_stays_on_site(client, "/keranjang/tambah", product, target, {"quantity": "x"})


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_procurement_cart_never_redirects_off_site(client, target):
    officer = gen_officer()
    product = gen_product()
    db.session.commit()
    log_in(client, officer)
    add_to_cart_stays_on_site(client, "/pengadaan/keranjang/tambah", product, target)


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_seller_actions_never_redirect_off_site(client, target):
    seller = gen_seller()
    product = gen_product(seller=seller)
    document = SellerDocument(seller=seller, kind="halal", number="ID321100001234")
    db.session.add(document)
    db.session.commit()
    log_in(client, seller.user)
    for path in (f"/penjual/produk/{product.id}/arsipkan", f"/penjual/produk/{product.id}/pulihkan",
                 f"/penjual/dokumen/{document.id}/hapus"):
        response = client.post(path, data={"next": target})
        assert response.status_code == 302, path
        assert stays_on_site(response.headers["Location"]), (path, response.headers["Location"])
        response = client.post(path, query_string={"next": target})
        assert stays_on_site(response.headers.get("Location", "/")), (path, response.headers["Location"])
