"""services/reviews.py: who may review, when, how often, with which ratings; the rating sums
move by addition (no lost update) and the latest reviews come back newest first, first names only."""

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, Product, ProductReview, Seller, SellerReview
from catalog.services import reviews
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from catalog.services.reviews import LineRating, SellerRating
from tests.factories import gen_product, gen_user
from tests.integration.test_shopper_orders import buy, complete, courier_seller, paid, pay, ship


@pytest.fixture
def completed(app):
    shopper = gen_user(name="Budi Santoso")
    seller = courier_seller()
    product = gen_product(seller=seller, title="Kopi Robusta Bubuk", stock=10)
    db.session.commit()
    group = paid(shopper, (product, 1))
    order = group.orders[0]
    complete(order)
    return order, shopper, product


def ratings_for(order, stars=5, body=""):
    return [LineRating(item.id, stars, body) for item in order.items]


def reviews_written() -> int:
    return db.session.scalar(select(func.count(ProductReview.id))) + db.session.scalar(select(func.count(SellerReview.id)))


def test_a_review_adds_to_the_product_and_seller_sums(completed):
    order, shopper, product = completed
    reviews.submit_reviews(order, shopper, ratings_for(order, 4, "  Wangi  "), SellerRating(5, "Ramah"))
    db.session.expire_all()
    assert (product.rating_sum, product.rating_count, product.rating) == (4, 1, 4.0)
    seller = db.session.get(Seller, order.seller_id)
    assert (seller.rating_sum, seller.rating_count) == (5, 1)
    review = db.session.scalar(select(ProductReview))
    assert review.body == "Wangi" and review.user_id == shopper.id and review.seller_id == order.seller_id
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "order.reviewed")) == "order.reviewed"


def test_only_the_orders_shopper_may_review(completed):
    order, _shopper, _product = completed
    with pytest.raises(NotFound):
        reviews.submit_reviews(order, gen_user(), ratings_for(order), SellerRating(5))
    assert reviews_written() == 0


def test_an_order_that_is_not_completed_cannot_be_reviewed(app):
    shopper = gen_user()
    product = gen_product(seller=courier_seller(), stock=3)
    db.session.commit()
    group = buy(shopper, (product, 1))
    order = group.orders[0]
    for step in (lambda: None, lambda: pay(group), lambda: ship(order)):
        step()
        with pytest.raises(InvalidTransition):
            reviews.submit_reviews(order, shopper, ratings_for(order), SellerRating(5))
    assert reviews_written() == 0


def test_a_second_review_of_the_same_order_is_refused(completed):
    order, shopper, product = completed
    reviews.submit_reviews(order, shopper, ratings_for(order, 5), SellerRating(5))
    with pytest.raises(InvalidTransition) as refused:
        reviews.submit_reviews(order, shopper, ratings_for(order, 1), SellerRating(1))
    assert "sudah memberi ulasan" in str(refused.value.message)
    db.session.expire_all()
    assert (product.rating_sum, product.rating_count) == (5, 1) and reviews_written() == 2


@pytest.mark.parametrize("stars", [0, 6, -1, None, True, "5", 4.5])
def test_product_ratings_outside_one_to_five_are_refused(completed, stars):
    order, shopper, product = completed
    with pytest.raises(ValidationFailed) as refused:
        reviews.submit_reviews(order, shopper, ratings_for(order, stars), SellerRating(5))
    assert refused.value.field == f"rating_{order.items[0].id}"
    assert "Kopi Robusta Bubuk" in str(refused.value.message)
    db.session.expire_all()
    assert product.rating_count == 0 and reviews_written() == 0


@pytest.mark.parametrize("stars", [0, 6, None])
def test_seller_ratings_outside_one_to_five_are_refused(completed, stars):
    order, shopper, _product = completed
    with pytest.raises(ValidationFailed) as refused:
        reviews.submit_reviews(order, shopper, ratings_for(order), SellerRating(stars))
    assert refused.value.field == "seller_rating" and reviews_written() == 0


def test_every_line_needs_its_stars_and_foreign_lines_are_refused(completed):
    order, shopper, _product = completed
    with pytest.raises(ValidationFailed):
        reviews.submit_reviews(order, shopper, [], SellerRating(5))
    with pytest.raises(ValidationFailed):
        reviews.submit_reviews(order, shopper, [*ratings_for(order), LineRating(999_999, 5)], SellerRating(5))
    assert reviews_written() == 0


def test_text_longer_than_2000_characters_is_refused(completed):
    order, shopper, _product = completed
    with pytest.raises(ValidationFailed) as refused:
        reviews.submit_reviews(order, shopper, ratings_for(order, 5, "x" * 2001), SellerRating(5))
    assert refused.value.field == f"body_{order.items[0].id}"
    with pytest.raises(ValidationFailed):
        reviews.submit_reviews(order, shopper, ratings_for(order), SellerRating(5, "y" * 2001))
    reviews.submit_reviews(order, shopper, ratings_for(order, 5, "x" * 2000), SellerRating(5))
    assert reviews_written() == 2


def test_sums_add_up_even_when_a_stale_product_is_saved_afterwards(completed):
    """The rating moves with `rating_sum = rating_sum + n`: another shopper's review in between,
    and a save of a product object loaded before both, lose nothing."""
    order, shopper, product = completed
    other = gen_user()
    db.session.commit()
    group = paid(other, (product, 1))
    complete(group.orders[0])

    stale = db.session.get(Product, product.id)
    assert stale.rating_count == 0
    reviews.submit_reviews(order, shopper, ratings_for(order, 5), SellerRating(5))
    reviews.submit_reviews(group.orders[0], other, ratings_for(group.orders[0], 2), SellerRating(3))
    stale.title = "Kopi Robusta Bubuk 250 g"  # an ORM save writes the changed column only
    db.session.commit()
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert (product.rating_sum, product.rating_count) == (7, 2)
    seller = db.session.get(Seller, order.seller_id)
    assert (seller.rating_sum, seller.rating_count) == (8, 2)


def test_latest_reviews_are_newest_first_with_first_names_only(completed):
    order, shopper, product = completed
    reviews.submit_reviews(order, shopper, ratings_for(order, 3, "Lumayan"), SellerRating(4, "Oke"))
    later = gen_user(name="  Rina  ")
    db.session.commit()
    group = paid(later, (product, 1))
    complete(group.orders[0])
    reviews.submit_reviews(group.orders[0], later, ratings_for(group.orders[0], 5, "Mantap"), SellerRating(5))

    shown = reviews.latest_for_product(product.id)
    assert [(r.reviewer, r.rating, r.body) for r in shown] == [("Rina", 5, "Mantap"), ("Budi", 3, "Lumayan")]
    assert [r.reviewer for r in reviews.latest_for_seller(order.seller_id)] == ["Rina", "Budi"]
    assert len(reviews.latest_for_product(product.id, limit=1)) == 1
    assert reviews.first_name("") == "Pembeli"
