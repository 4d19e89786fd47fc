"""Reviews through the pages: the form opens only for a completed order of one's own, takes stars,
text and a photo per line and stars for the seller once, refuses bad input beside the field with
nothing saved, and the result shows on the product page, the shop page and the search order."""

import io

import pytest
from sqlalchemy import func, select

from catalog import search
from catalog.extensions import db
from catalog.models import Product, ProductReview, Seller, SellerReview
from catalog.search import SearchRequest
from tests.factories import gen_product, gen_user
from tests.integration.test_shopper_orders import (
    complete,
    courier_seller,
    log_in,
    paid,
    png_bytes,
    ship,
    text_of,
)


@pytest.fixture
def bought(app, client):
    """A shopper with a completed order of two lines from one seller."""
    shopper = gen_user(name="Dewi Lestari Putri")
    seller = courier_seller(business_name="Dapur Bu Sri")
    keripik = gen_product(seller=seller, title="Keripik Tempe Sagu", price=12_000, stock=20)
    sambal = gen_product(seller=seller, title="Sambal Roa Botol", price=35_000, stock=20)
    db.session.commit()
    group = paid(shopper, (keripik, 2), (sambal, 1))
    order = group.orders[0]
    complete(order)
    log_in(client, shopper)
    lines = {item.title: item.id for item in order.items}
    return order, keripik, sambal, lines


def form_data(lines, keripik=5, sambal=4, seller=5, **extra):
    data = {
        f"rating_{lines['Keripik Tempe Sagu']}": str(keripik), f"body_{lines['Keripik Tempe Sagu']}": "Renyah, gurih, pas.",
        f"rating_{lines['Sambal Roa Botol']}": str(sambal), f"body_{lines['Sambal Roa Botol']}": "",
        "seller_rating": str(seller), "seller_body": "Cepat dan rapi.",
    }
    data.update(extra)
    return data


def review_count() -> int:
    return db.session.scalar(select(func.count(ProductReview.id))) + db.session.scalar(select(func.count(SellerReview.id)))


def test_the_review_form_has_accessible_star_radios_per_line(client, bought):
    order, _keripik, _sambal, lines = bought
    html = client.get(f"/pesanan/{order.number}/ulasan").get_data(as_text=True)
    for item_id in lines.values():
        for n in range(1, 6):
            assert f'type="radio" class="star-radio" id="rating_{item_id}-{n}" name="rating_{item_id}" value="{n}"' in html
        assert f'for="rating_{item_id}-5"' in html
    assert "5 bintang, sangat baik" in html and "<legend" in html
    assert 'enctype="multipart/form-data"' in html


def test_a_review_updates_ratings_and_shows_on_product_and_shop_pages(client, bought):
    order, keripik, sambal, lines = bought
    photo = f"photo_{lines['Keripik Tempe Sagu']}"
    response = client.post(f"/pesanan/{order.number}/ulasan", data=form_data(lines, **{photo: (io.BytesIO(png_bytes()), "foto.png")}),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert (keripik.rating_sum, keripik.rating_count) == (5, 1)
    assert (sambal.rating_sum, sambal.rating_count) == (4, 1)
    seller = db.session.get(Seller, order.seller_id)
    assert (seller.rating_sum, seller.rating_count) == (5, 1)
    review = db.session.scalar(select(ProductReview).where(ProductReview.product_id == keripik.id))
    assert review.image_key and review.body == "Renyah, gurih, pas."

    html = client.get(f"/produk/{keripik.slug}").get_data(as_text=True)
    text = text_of(html)
    assert "Ulasan pembeli" in text and "Renyah, gurih, pas." in text
    assert "Dewi" in text and "Lestari" not in text  # the first name only
    assert "5 dari 5 bintang" in html and f"p/{review.image_key}-320.webp" in html
    shop_text = text_of(client.get(f"/toko/{seller.slug}").get_data(as_text=True))
    assert "Cepat dan rapi." in shop_text and "Ulasan pembeli tentang toko ini" in shop_text

    page = text_of(client.get(f"/pesanan/{order.group.number}").get_data(as_text=True))
    assert "Ulasan diberikan" in page and "Beri ulasan" not in page


def test_a_reviewed_product_rises_in_the_rating_sort_of_search(client, bought):
    order, keripik, sambal, lines = bought
    client.post(f"/pesanan/{order.number}/ulasan", data=form_data(lines, keripik=2, sambal=5))
    found = search.search(SearchRequest(sort="rating", per_page=5))
    assert [hit.product_id for hit in found.hits][:2] == [sambal.id, keripik.id]


def test_the_review_page_waits_for_completion(client, app):
    shopper = gen_user()
    product = gen_product(seller=courier_seller(), stock=5)
    db.session.commit()
    group = paid(shopper, (product, 1))
    order = group.orders[0]
    ship(order)
    log_in(client, shopper)
    response = client.get(f"/pesanan/{order.number}/ulasan", follow_redirects=True)
    assert "Ulasan dapat diberikan setelah pesanan selesai" in text_of(response.get_data(as_text=True))
    item = order.items[0]
    response = client.post(f"/pesanan/{order.number}/ulasan",
                           data={f"rating_{item.id}": "5", "seller_rating": "5"}, follow_redirects=True)
    assert "Ulasan dapat diberikan setelah pesanan selesai" in text_of(response.get_data(as_text=True))
    assert review_count() == 0


def test_a_second_review_is_refused_and_counts_once(client, bought):
    order, keripik, _sambal, lines = bought
    assert client.post(f"/pesanan/{order.number}/ulasan", data=form_data(lines)).status_code == 302
    response = client.post(f"/pesanan/{order.number}/ulasan", data=form_data(lines, keripik=1), follow_redirects=True)
    assert "Anda sudah memberi ulasan untuk pesanan ini" in text_of(response.get_data(as_text=True))
    response = client.get(f"/pesanan/{order.number}/ulasan", follow_redirects=True)
    assert "Anda sudah memberi ulasan untuk pesanan ini" in text_of(response.get_data(as_text=True))
    db.session.expire_all()
    assert (keripik.rating_sum, keripik.rating_count) == (5, 1) and review_count() == 3


@pytest.mark.parametrize("bad", ["0", "6", "abc", "", "-1", "4.5"])
def test_stars_outside_one_to_five_are_refused_beside_the_field(client, bought, bad):
    order, keripik, _sambal, lines = bought
    response = client.post(f"/pesanan/{order.number}/ulasan", data=form_data(lines, keripik=bad))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="rating_{lines["Keripik Tempe Sagu"]}-error"' in html
    assert "Pilih 1 sampai 5 bintang." in text_of(html)
    assert review_count() == 0
    db.session.expire_all()
    assert keripik.rating_count == 0


def test_a_missing_seller_rating_is_refused(client, bought):
    order, _keripik, _sambal, lines = bought
    data = form_data(lines)
    del data["seller_rating"]
    response = client.post(f"/pesanan/{order.number}/ulasan", data=data)
    assert response.status_code == 400 and review_count() == 0


def test_a_text_over_2000_characters_is_refused(client, bought):
    order, _keripik, _sambal, lines = bought
    data = form_data(lines, **{f"body_{lines['Sambal Roa Botol']}": "x" * 2001})
    response = client.post(f"/pesanan/{order.number}/ulasan", data=data)
    assert response.status_code == 400
    assert "Ulasan paling banyak 2000 karakter." in text_of(response.get_data(as_text=True))
    assert review_count() == 0


def test_a_photo_that_is_not_a_photo_is_refused_and_nothing_is_saved(client, bought):
    order, keripik, _sambal, lines = bought
    photo = f"photo_{lines['Sambal Roa Botol']}"
    data = form_data(lines, **{photo: (io.BytesIO(b"bukan foto"), "foto.jpg")})
    response = client.post(f"/pesanan/{order.number}/ulasan", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Foto untuk Sambal Roa Botol: Berkas bukan foto yang valid" in text_of(response.get_data(as_text=True))
    assert review_count() == 0
    db.session.expire_all()
    assert db.session.get(Product, keripik.id).rating_count == 0


def test_a_product_title_in_a_message_is_escaped(client, app):
    """Messages quoting a seller's title reach the page as text, never as markup."""
    shopper = gen_user()
    product = gen_product(seller=courier_seller(), title='<img src=x onerror="alert(1)">', stock=5)
    db.session.commit()
    group = paid(shopper, (product, 1))
    order = group.orders[0]
    complete(order)
    log_in(client, shopper)
    item = order.items[0]
    response = client.post(f"/pesanan/{order.number}/ulasan",
                           data={f"rating_{item.id}": "5", "seller_rating": "5",
                                 f"photo_{item.id}": (io.BytesIO(b"teks"), "a.jpg")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<img src=x" not in html and "&lt;img src=x" in html
