"""The holes the form fuzzer found, each pinned by one plain example: an id or amount past the
database column (10**30, or a Unicode digit like "²" that str.isdigit accepts) used to escape
as a 500 (SQLite OverflowError, PostgreSQL NumericValueOutOfRange, ValueError from int()), and
a NUL byte in any form field was a 500 on PostgreSQL ("text fields cannot contain NUL"), now
dropped by the app's request hook before a view reads the form."""

from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import CartItem, Category, LedgerEntry, OrderGroup, PayoutBatch, Rfq, User
from tests.fuzz.dbstate import changed_tables, fingerprint
from tests.fuzz.form_targets import (
    account_post,
    add_to_cart_post,
    adjustment_post,
    category_post,
    checkout_post,
    login_post,
    payout_batch_post,
    rfq_new_post,
)

HUGE = str(10**30)


def post_as(app, post, **changes):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = post.user.get_id()
        session["_fresh"] = True
    return client.post(post.url, data={**post.data, **changes})


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_checkout_address_id_past_the_column_is_not_found(app):
    post = checkout_post(app)
    before = fingerprint()
    assert post_as(app, post, address=HUGE).status_code == 404
    assert changed_tables(before, fingerprint()) == [] and count(OrderGroup) == 0


def test_payout_batch_seller_ids_that_are_not_plain_ids_are_ignored(app):
    post = payout_batch_post(app)
    for forged in ("²³", HUGE, "١٢"):
        response = post_as(app, post, seller_id=forged)
        assert response.status_code == 400, forged
    assert count(PayoutBatch) == 0
    assert post_as(app, post).status_code == 302 and count(PayoutBatch) == 1  # the real id still works


def test_a_balance_adjustment_past_any_amount_is_refused_beside_the_field(app):
    post = adjustment_post(app)
    entries = count(LedgerEntry)
    response = post_as(app, post, amount=HUGE)
    assert response.status_code == 400 and "Jumlah terlalu besar." in response.get_data(as_text=True)
    assert count(LedgerEntry) == entries


def test_an_rfq_category_id_past_the_column_is_refused_like_a_forged_one(app):
    post = rfq_new_post(app)
    response = post_as(app, post, category_id=HUGE)
    assert 400 <= response.status_code < 500 and count(Rfq) == 0


def test_a_nul_byte_in_a_form_post_is_dropped_before_any_query(app):
    account, login = account_post(app), login_post(app)
    assert post_as(app, account, name="Ani\x00Lestari").status_code == 302
    db.session.expire_all()
    name = db.session.get(User, account.user.id).name
    assert "\x00" not in name and name.replace(" ", "") == "AniLestari"
    before = fingerprint()
    response = app.test_client().post(login.url, data={**login.data, "email": "ani\x00@contoh.id"})
    assert response.status_code < 500
    assert changed_tables(before, fingerprint()) == []


def test_ids_one_past_the_integer_column_or_in_other_digits_match_nothing(app):
    """2**31 passed the 18-digit and 11-digit id checks and overflowed PostgreSQL's integer; "²"
    passed str.isdigit and broke int()."""
    cart, category = add_to_cart_post(app), category_post(app)
    categories = count(Category)
    for forged in (str(2**31), "²", "1" * 5000):
        assert post_as(app, cart, variant_id=forged).status_code < 500, forged
        assert post_as(app, category, parent_id=forged).status_code < 500, forged
    assert count(CartItem) == 0 and count(Category) == categories
