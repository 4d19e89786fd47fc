"""Card payment through Stripe Checkout against a local fake Stripe: the session the shopper
pays on, coming back from Stripe, paying again, and refunds when a paid order is cancelled."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, Order
from catalog.models.base import utcnow
from catalog.services import orders, stripe_gateway
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from tests import stripe_fake
from tests.conftest import csrf_token_from
from tests.factories import gen_user
from tests.stripe_fake import (
    REFUNDS,
    SESSIONS,
    SHIPPING_FEE,
    URLS,
    line_items,
    place_card_order,
)

# The shared fixtures: the fake Stripe server, and the app pointed at it with the keys set.
fake_stripe = stripe_fake.fake_stripe
stripe_app = stripe_fake.stripe_app


def _stocks(card_order):
    db.session.expire_all()
    return [p.variants[0].stock for p in card_order.products]


def _audit_count(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _paid_order(fake):
    """A placed card order whose session Stripe reports paid, synced as the success page does."""
    card = place_card_order()
    stripe_gateway.start_checkout(card.group, **URLS)
    fake.pay(card.group.payment.stripe_session_id, payment_intent="pi_test_paid")
    assert stripe_gateway.sync_session(card.group) is True
    return card


# --- starting the payment ------------------------------------------------------------------------

def test_checkout_session_carries_idr_amounts_times_100_and_an_idempotency_key(stripe_app, fake_stripe):
    card = place_card_order()
    group, payment = card.group, card.group.payment

    url = stripe_gateway.start_checkout(group, **URLS)

    (call,) = fake_stripe.calls("POST", SESSIONS)
    form = call.form
    assert call.idempotency_key == f"checkout-{group.number}"
    assert call.authorization == "Bearer sk_test_katalog_fake"
    assert form["mode"] == "payment"
    assert form["currency"] == "idr"
    assert form["client_reference_id"] == group.number
    assert form["metadata[group_number]"] == group.number
    assert form["payment_intent_data[metadata][group_number]"] == group.number
    assert form["customer_email"] == card.shopper.email
    assert int(form["expires_at"]) == int(payment.expires_at.timestamp())
    assert form["success_url"] == URLS["success_url"] and form["cancel_url"] == URLS["cancel_url"]
    items = line_items(form)
    assert [(i["unit_amount"], i["quantity"], i["currency"]) for i in items] == [
        (15_000_00, 2, "idr"), (SHIPPING_FEE * 100, 1, "idr"), (125_000_00, 1, "idr"),
    ]
    assert items[0]["name"] == "Keripik Singkong Pedas"
    assert "JNE Reguler" in items[1]["name"]
    assert sum(i["unit_amount"] * i["quantity"] for i in items) == payment.amount * 100
    assert payment.amount == 2 * 15_000 + SHIPPING_FEE + 125_000

    db.session.expire_all()
    assert payment.stripe_session_id in fake_stripe.sessions
    assert url == fake_stripe.sessions[payment.stripe_session_id]["url"]
    assert payment.status == "pending"


def test_starting_again_reuses_the_open_session(stripe_app, fake_stripe):
    card = place_card_order()
    first = stripe_gateway.start_checkout(card.group, **URLS)

    again = stripe_gateway.start_checkout(card.group, **URLS)

    assert again == first
    assert len(fake_stripe.calls("POST", SESSIONS)) == 1
    assert len(fake_stripe.calls("GET", SESSIONS)) == 1


def test_an_expired_session_is_replaced_by_a_new_one_with_its_own_key(stripe_app, fake_stripe):
    card = place_card_order()
    stripe_gateway.start_checkout(card.group, **URLS)
    old = card.group.payment.stripe_session_id
    fake_stripe.expire(old)

    url = stripe_gateway.start_checkout(card.group, **URLS)

    first, second = fake_stripe.calls("POST", SESSIONS)
    assert second.idempotency_key == f"checkout-{card.group.number}-after-{old}"
    db.session.expire_all()
    assert card.group.payment.stripe_session_id not in (None, old)
    assert url == fake_stripe.sessions[card.group.payment.stripe_session_id]["url"]


def test_a_deadline_too_close_for_stripe_moves_to_stripes_minimum(stripe_app, fake_stripe):
    card = place_card_order()
    payment = card.group.payment
    payment.expires_at = utcnow() + timedelta(minutes=5)
    db.session.commit()

    stripe_gateway.start_checkout(card.group, **URLS)

    (call,) = fake_stripe.calls("POST", SESSIONS)
    db.session.expire_all()
    assert int(call.form["expires_at"]) == int(payment.expires_at.timestamp())
    assert payment.expires_at >= utcnow() + timedelta(minutes=30)


@pytest.mark.parametrize(("status", "error_type"), [(402, "card_error"), (500, "api_error")])
def test_stripe_refusing_the_session_fails_the_payment_and_returns_the_stock(stripe_app, fake_stripe, status,
                                                                             error_type):
    card = place_card_order()
    assert _stocks(card) == [8, 4]
    fake_stripe.fail("POST", SESSIONS, status, error_type=error_type)

    with pytest.raises(stripe_gateway.GatewayError) as raised:
        stripe_gateway.start_checkout(card.group, **URLS)

    assert "stok dikembalikan" in str(raised.value.message)
    db.session.expire_all()
    payment = card.group.payment
    assert payment.status == "failed"
    assert payment.stripe_session_id is None and payment.last_error
    assert [o.status for o in card.group.orders] == ["cancelled", "cancelled"]
    assert _stocks(card) == [10, 5]
    assert _audit_count("payment.stripe_error") == 1
    assert len(fake_stripe.calls("POST", SESSIONS)) == 1  # told not to retry, so one request


def test_a_paid_checkout_cannot_be_started_again(stripe_app, fake_stripe):
    card = _paid_order(fake_stripe)

    with pytest.raises(InvalidTransition):
        stripe_gateway.start_checkout(card.group, **URLS)
    assert len(fake_stripe.calls("POST", SESSIONS)) == 1


def test_an_overdue_checkout_expires_instead_of_opening_stripe(stripe_app, fake_stripe):
    card = place_card_order()
    card.group.payment.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    with pytest.raises(InvalidTransition):
        stripe_gateway.start_checkout(card.group, **URLS)

    assert card.group.payment.status == "expired"
    assert _stocks(card) == [10, 5]
    assert fake_stripe.requests == []


# --- refunds when a paid order is cancelled ------------------------------------------------------

def test_cancelling_one_paid_order_refunds_its_total_through_stripe(stripe_app, fake_stripe):
    card = _paid_order(fake_stripe)
    keripik_order = card.group.orders[0]
    assert keripik_order.status == "new"

    orders.cancel_by_shopper(keripik_order, card.shopper, reason="Salah pilih rasa")

    (call,) = fake_stripe.calls("POST", REFUNDS)
    assert call.idempotency_key == f"refund-{keripik_order.number}"
    assert call.form["payment_intent"] == "pi_test_paid"
    assert int(call.form["amount"]) == (2 * 15_000 + SHIPPING_FEE) * 100
    db.session.expire_all()
    payment = card.group.payment
    assert payment.status == "partially_refunded"
    assert payment.refunded_amount == 2 * 15_000 + SHIPPING_FEE
    assert keripik_order.status == "cancelled" and keripik_order.refunded_amount == payment.refunded_amount
    assert card.group.orders[1].status == "new"
    assert _stocks(card) == [10, 4]


def test_stripe_refusing_the_refund_leaves_the_order_as_it_was(stripe_app, fake_stripe):
    card = _paid_order(fake_stripe)
    keripik_order = card.group.orders[0]
    fake_stripe.fail("POST", REFUNDS, 400, error_type="invalid_request_error", code="charge_disputed",
                     message="This charge is disputed.")

    with pytest.raises(ValidationFailed) as raised:
        orders.cancel_by_shopper(keripik_order, card.shopper)

    assert "Stripe" in str(raised.value.message)
    db.session.expire_all()
    assert keripik_order.status == "new" and keripik_order.refunded_amount == 0
    assert card.group.payment.status == "paid" and card.group.payment.refunded_amount == 0
    assert _stocks(card) == [8, 4]


def test_a_refund_without_a_stripe_payment_intent_is_refused(stripe_app, fake_stripe):
    card = place_card_order()

    with pytest.raises(stripe_gateway.GatewayError):
        stripe_gateway.refund(card.group.payment, 1000, idempotency_key="refund-x")
    assert fake_stripe.requests == []


# --- coming back from Stripe ---------------------------------------------------------------------

def _logged_in(app, user):
    client = app.test_client()
    response = client.post("/masuk", data={"email": user.email, "password": "rahasia-123"})
    assert response.status_code == 302
    return client


def _last_flash(client):
    with client.session_transaction() as session:
        return session["_flashes"][-1]


def test_success_page_marks_paid_only_when_stripe_says_paid(stripe_app, fake_stripe):
    card = place_card_order()
    stripe_gateway.start_checkout(card.group, **URLS)
    number = card.group.number
    client = _logged_in(stripe_app, card.shopper)

    response = client.get(f"/checkout/kartu/selesai?pesanan={number}")

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/pesanan/{number}")
    db.session.expire_all()
    assert card.group.payment.status == "pending"
    assert "menunggu konfirmasi Stripe" in _last_flash(client)[1]

    fake_stripe.pay(card.group.payment.stripe_session_id)
    response = client.get(f"/checkout/kartu/selesai?pesanan={number}")

    assert response.status_code == 302
    db.session.expire_all()
    assert card.group.payment.status == "paid"
    assert [o.status for o in card.group.orders] == ["new", "new"]
    assert _last_flash(client)[0] == "success"


def test_success_page_waits_when_stripe_cannot_be_asked(stripe_app, fake_stripe):
    card = place_card_order()
    stripe_gateway.start_checkout(card.group, **URLS)
    fake_stripe.fail("GET", SESSIONS, 500, error_type="api_error", code="api_error", message="Server error")
    client = _logged_in(stripe_app, card.shopper)

    response = client.get(f"/checkout/kartu/selesai?pesanan={card.group.number}")

    assert response.status_code == 302
    db.session.expire_all()
    assert card.group.payment.status == "pending"


@pytest.mark.parametrize("page", ["selesai", "batal"])
def test_return_pages_of_another_shoppers_checkout_are_404(stripe_app, fake_stripe, page):
    card = place_card_order()
    stripe_gateway.start_checkout(card.group, **URLS)
    fake_stripe.pay(card.group.payment.stripe_session_id)
    stranger = gen_user()
    db.session.commit()
    client = _logged_in(stripe_app, stranger)

    assert client.get(f"/checkout/kartu/{page}?pesanan={card.group.number}").status_code == 404
    assert client.get(f"/checkout/kartu/{page}?pesanan=KU-000000-XXXXX").status_code == 404
    assert client.get(f"/checkout/kartu/{page}").status_code == 404
    assert client.post(f"/checkout/kartu/bayar?pesanan={card.group.number}").status_code == 404
    db.session.expire_all()
    assert card.group.payment.status == "pending"
    assert len(fake_stripe.calls("GET", SESSIONS)) == 0


def test_return_pages_need_a_login(stripe_app, fake_stripe):
    card = place_card_order()
    client = stripe_app.test_client()

    response = client.get(f"/checkout/kartu/selesai?pesanan={card.group.number}")

    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_cancel_page_says_not_paid_and_paying_again_reuses_the_open_session(stripe_app, fake_stripe):
    card = place_card_order()
    url = stripe_gateway.start_checkout(card.group, **URLS)
    client = _logged_in(stripe_app, card.shopper)

    back = client.get(f"/checkout/kartu/batal?pesanan={card.group.number}")

    assert back.status_code == 302 and back.headers["Location"].endswith(f"/pesanan/{card.group.number}")
    category, message = _last_flash(client)
    assert category == "warning" and "belum ditagih" in message
    again = client.post(f"/checkout/kartu/bayar?pesanan={card.group.number}")
    assert again.status_code == 303 and again.headers["Location"] == url
    assert len(fake_stripe.calls("POST", SESSIONS)) == 1
    db.session.expire_all()
    assert card.group.payment.status == "pending"


def test_cancel_page_of_a_closed_checkout_goes_to_the_order(stripe_app, fake_stripe):
    card = place_card_order()
    card.group.payment.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client = _logged_in(stripe_app, card.shopper)

    response = client.get(f"/checkout/kartu/batal?pesanan={card.group.number}")

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/pesanan/{card.group.number}")
    db.session.expire_all()
    assert card.group.payment.status == "expired"


def test_paying_again_after_stripe_refused_shows_the_message(stripe_app, fake_stripe):
    card = place_card_order()
    fake_stripe.fail("POST", SESSIONS, 500, error_type="api_error", code="api_error", message="Server error")
    client = _logged_in(stripe_app, card.shopper)

    response = client.post(f"/checkout/kartu/bayar?pesanan={card.group.number}")

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/pesanan/{card.group.number}")
    category, message = _last_flash(client)
    assert category == "error" and "Stripe" in message


def test_paying_again_needs_the_csrf_token(make_app, fake_stripe):
    from tests.stripe_fake import SECRET_KEY

    app = make_app(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=fake_stripe.url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        card = place_card_order()
        stripe_gateway.start_checkout(card.group, **URLS)
        client = app.test_client()
        login_page = client.get("/masuk")
        client.post("/masuk", data={"email": card.shopper.email, "password": "rahasia-123",
                                    "csrf_token": csrf_token_from(login_page.get_data(as_text=True))})

        refused = client.post(f"/checkout/kartu/bayar?pesanan={card.group.number}")
        assert refused.status_code == 400

        token = csrf_token_from(client.get("/akun").get_data(as_text=True))
        accepted = client.post(f"/checkout/kartu/bayar?pesanan={card.group.number}", data={"csrf_token": token})
        assert accepted.status_code == 303


def test_no_card_order_reaches_stripe_with_another_shoppers_number(stripe_app, fake_stripe):
    """Scope check at the service edge too: the order a refund is for comes from the shopper."""
    card = _paid_order(fake_stripe)
    stranger = gen_user()
    db.session.commit()

    with pytest.raises(NotFound):
        orders.cancel_by_shopper(card.group.orders[0], stranger)

    assert fake_stripe.calls("POST", REFUNDS) == []
    assert db.session.get(Order, card.group.orders[0].id).status == "new"
