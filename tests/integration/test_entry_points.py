"""A business owner can find the way to open a shop from the pages they land on."""

from catalog.extensions import db
from tests.factories import gen_user


def test_home_and_register_page_link_to_seller_registration(client):
    for url in ("/", "/daftar"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="/penjual/daftar"' in html, url


def test_shopper_account_page_offers_to_open_a_shop(client, auth):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    auth.login("ani@contoh.id")
    html = client.get("/akun").get_data(as_text=True)
    assert "Buka toko gratis" in html
    assert 'href="/penjual/daftar"' in html
