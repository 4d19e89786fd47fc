"""POST /webhooks/stripe with locally signed deliveries: only genuine events count, each event
counts once, out-of-order events never undo a payment, and money for a closed checkout goes back."""

import time

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, Notification, StripeEvent
from catalog.services import stripe_gateway
from tests import stripe_fake
from tests.stripe_fake import (
    REFUNDS,
    SECRET_KEY,
    SHIPPING_FEE,
    URLS,
    WEBHOOK_SECRET,
    deliver,
    make_event,
    place_card_order,
    signed,
)

# The shared fixtures: the fake Stripe server, and the app pointed at it with the keys set.
fake_stripe = stripe_fake.fake_stripe
stripe_app = stripe_fake.stripe_app


@pytest.fixture
def client(stripe_app):
    return stripe_app.test_client()


@pytest.fixture
def card(stripe_app):
    """A placed card checkout with its session opened on the fake Stripe."""
    card = place_card_order()
    stripe_gateway.start_checkout(card.group, **URLS)
    return card


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _audits(action):
    return _count(AuditEvent, AuditEvent.action == action)


def _state(card):
    db.session.expire_all()
    group = card.group
    return group.payment.status, [o.status for o in group.orders], [p.variants[0].stock for p in card.products]


def _completed(fake, card, event_id=None, **session_fields):
    session = fake.pay(card.group.payment.stripe_session_id, payment_intent="pi_test_webhook")
    session.update(session_fields)
    return make_event("checkout.session.completed", session, event_id)


def _expired(fake, card, event_id=None):
    return make_event("checkout.session.expired", fake.expire(card.group.payment.stripe_session_id), event_id)


# --- only genuine deliveries ---------------------------------------------------------------------

def _bad_deliveries(event):
    good_body, good_header = signed(event)
    stale_body, stale_header = signed(event, timestamp=int(time.time()) - 3600)
    return {
        "wrong secret": (signed(event, secret="whsec_someone_else")),
        "no header": (good_body, None),
        "garbage header": (good_body, "t=abc,v1=zzz"),
        "body changed after signing": (good_body.replace(b"complete", b"open!!!!"), good_header),
        "replayed an hour later": (stale_body, stale_header),
    }


@pytest.mark.parametrize("case", ["wrong secret", "no header", "garbage header", "body changed after signing",
                                  "replayed an hour later"])
def test_a_delivery_without_a_valid_signature_is_400_and_changes_nothing(client, fake_stripe, card, case):
    before = _state(card)
    body, header = _bad_deliveries(_completed(fake_stripe, card))[case]

    response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header} if header else {},
                           content_type="application/json")

    assert response.status_code == 400
    assert response.is_json
    assert _state(card) == before
    assert _count(StripeEvent) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"id": "evt_1"}', b'{"id": "evt_1", "type": "x"}',
                                  b"\xff\xfe", b""])
def test_a_signed_but_unreadable_body_is_400(client, body):
    response = deliver(client, body)

    assert response.status_code == 400
    assert _count(StripeEvent) == 0


def test_without_a_webhook_secret_nothing_is_accepted(make_app, fake_stripe):
    app = make_app(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=fake_stripe.url)
    body, header = signed(make_event("checkout.session.completed", {"id": "cs_x"}), secret="")
    response = app.test_client().post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header})

    assert response.status_code == 400


def test_the_webhook_needs_no_csrf_token(make_app, fake_stripe):
    app = make_app(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=fake_stripe.url,
                   WTF_CSRF_ENABLED=True)

    response = deliver(app.test_client(), make_event("customer.created", {"id": "cus_1", "object": "customer"}))

    assert response.status_code == 200


def test_the_webhook_takes_only_post(client):
    assert client.get("/webhooks/stripe").status_code == 405


# --- paid ----------------------------------------------------------------------------------------

def test_completed_session_pays_the_checkout_and_tells_the_sellers(client, fake_stripe, card):
    response = deliver(client, _completed(fake_stripe, card))

    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "paid"}
    assert _state(card) == ("paid", ["new", "new"], [8, 4])
    payment = card.group.payment
    assert payment.stripe_payment_intent == "pi_test_webhook" and payment.paid_at is not None
    for order in card.group.orders:
        assert _count(Notification, Notification.user_id == order.seller.user_id, Notification.kind == "order_new") == 1
    assert _count(StripeEvent, StripeEvent.payment_id == payment.id) == 1


def test_the_same_event_twice_changes_state_once(client, fake_stripe, card):
    event = _completed(fake_stripe, card)

    first, second = deliver(client, event), deliver(client, event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.get_json()["outcome"] == "duplicate"
    assert _state(card)[0] == "paid"
    assert _audits("payment.paid") == 1
    assert _audits("order.new") == 2
    assert _count(Notification, Notification.kind == "order_new") == 2


def test_a_second_event_for_a_paid_session_changes_nothing(client, fake_stripe, card):
    deliver(client, _completed(fake_stripe, card))

    again = deliver(client, make_event("checkout.session.async_payment_succeeded",
                                       fake_stripe.sessions[card.group.payment.stripe_session_id]))

    assert again.get_json()["outcome"] == "already_paid"
    assert _audits("payment.paid") == 1


def test_expired_after_completed_leaves_the_order_paid(client, fake_stripe, card):
    deliver(client, _completed(fake_stripe, card))
    session = dict(fake_stripe.sessions[card.group.payment.stripe_session_id], status="expired")

    response = deliver(client, make_event("checkout.session.expired", session))

    assert response.status_code == 200
    assert _state(card) == ("paid", ["new", "new"], [8, 4])


def test_a_delayed_payment_waits_for_async_payment_succeeded(client, fake_stripe, card):
    session = fake_stripe.pay(card.group.payment.stripe_session_id)
    unpaid = dict(session, payment_status="unpaid")

    assert deliver(client, make_event("checkout.session.completed", unpaid)).get_json()["outcome"] == "awaiting_payment"
    assert _state(card)[0] == "pending"
    assert deliver(client, make_event("checkout.session.async_payment_succeeded", session)).status_code == 200
    assert _state(card)[0] == "paid"


def test_a_session_for_a_different_amount_does_not_pay(client, fake_stripe, card):
    event = _completed(fake_stripe, card, amount_total=100)

    assert deliver(client, event).status_code == 200
    assert _state(card)[0] == "pending"
    assert _audits("payment.stripe_mismatch") == 1


def test_an_event_found_by_the_checkout_number_alone_still_pays(client, fake_stripe, card):
    session = dict(fake_stripe.pay(card.group.payment.stripe_session_id), id="cs_test_unknown")

    assert deliver(client, make_event("checkout.session.completed", session)).get_json()["outcome"] == "paid"


# --- expired, failed attempts, refunds -----------------------------------------------------------

def test_expired_session_cancels_the_orders_and_returns_the_stock(client, fake_stripe, card):
    response = deliver(client, _expired(fake_stripe, card))

    assert response.get_json()["outcome"] == "expired"
    assert _state(card) == ("expired", ["cancelled", "cancelled"], [10, 5])


def test_an_older_replaced_session_expiring_leaves_the_checkout_waiting(client, fake_stripe, card):
    old = card.group.payment.stripe_session_id
    fake_stripe.expire(old)
    stripe_gateway.start_checkout(card.group, **URLS)  # the shopper paid again: a new session

    response = deliver(client, make_event("checkout.session.expired", fake_stripe.sessions[old]))

    assert response.get_json()["outcome"] == "ignored"
    assert _state(card)[0] == "pending"


def test_a_declined_card_is_noted_and_the_checkout_keeps_waiting(client, fake_stripe, card):
    intent = {"id": "pi_test_declined", "object": "payment_intent", "status": "requires_payment_method",
              "metadata": {"group_number": card.group.number},
              "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds",
                                     "message": "Your card has insufficient funds."}}

    response = deliver(client, make_event("payment_intent.payment_failed", intent))

    assert response.get_json()["outcome"] == "attempt_failed"
    assert _state(card) == ("pending", ["awaiting_payment", "awaiting_payment"], [8, 4])
    assert card.group.payment.last_error == "Your card has insufficient funds."
    assert _audits("payment.stripe_attempt_failed") == 1


def test_a_repeated_failure_event_is_noted_once(client, card):
    intent = {"id": "pi_test_declined", "object": "payment_intent", "metadata": {"group_number": card.group.number},
              "last_payment_error": {"code": "card_declined", "message": "Your card was declined."}}
    event = make_event("payment_intent.payment_failed", intent)

    deliver(client, event)
    assert deliver(client, event).get_json()["outcome"] == "duplicate"

    assert _audits("payment.stripe_attempt_failed") == 1


def _charge(card, refunded):
    return {"id": "ch_test_1", "object": "charge", "payment_intent": "pi_test_webhook", "currency": "idr",
            "amount": card.group.payment.amount * 100, "amount_refunded": refunded * 100, "refunded": False,
            "metadata": {"group_number": card.group.number}}


def test_charge_refunded_records_partial_then_full_refunds(client, fake_stripe, card):
    deliver(client, _completed(fake_stripe, card))
    total = card.group.payment.amount

    deliver(client, make_event("charge.refunded", _charge(card, 50_000)))
    db.session.expire_all()
    assert (card.group.payment.status, card.group.payment.refunded_amount) == ("partially_refunded", 50_000)

    deliver(client, make_event("charge.refunded", _charge(card, total)))
    db.session.expire_all()
    assert (card.group.payment.status, card.group.payment.refunded_amount) == ("refunded", total)
    assert _audits("payment.refunded") == 1


def test_charge_refunded_for_a_refund_we_made_ourselves_adds_nothing(client, fake_stripe, card):
    from catalog.services import orders

    deliver(client, _completed(fake_stripe, card))
    db.session.expire_all()
    orders.cancel_by_shopper(card.group.orders[0], card.shopper)
    ours = 2 * 15_000 + SHIPPING_FEE

    response = deliver(client, make_event("charge.refunded", _charge(card, ours)))

    assert response.get_json()["outcome"] == "ignored"
    db.session.expire_all()
    assert card.group.payment.refunded_amount == ours
    assert _audits("payment.partially_refunded") == 1


# --- money that arrives for a closed checkout ----------------------------------------------------

def test_payment_for_an_expired_checkout_is_refunded_in_full(client, fake_stripe, card):
    deliver(client, _expired(fake_stripe, card))
    late = _completed(fake_stripe, card, event_id="evt_test_late")

    response = deliver(client, late)

    assert response.get_json()["outcome"] == "late_refunded"
    (call,) = fake_stripe.calls("POST", REFUNDS)
    assert call.idempotency_key == "late-evt_test_late"
    assert call.form["payment_intent"] == "pi_test_webhook"
    assert int(call.form["amount"]) == card.group.payment.amount * 100
    assert _state(card) == ("expired", ["cancelled", "cancelled"], [10, 5])
    assert _audits("payment.stripe_late_refund") == 1
    assert _audits("payment.paid") == 0


def test_a_refused_late_refund_is_retried_on_the_next_delivery(client, fake_stripe, card):
    deliver(client, _expired(fake_stripe, card))
    late = _completed(fake_stripe, card)
    fake_stripe.fail("POST", REFUNDS, 500, error_type="api_error", code="api_error", message="Server error")

    refused = deliver(client, late)

    assert refused.status_code == 503
    assert _count(StripeEvent, StripeEvent.id == late["id"]) == 0
    assert _audits("payment.stripe_late_refund") == 0

    retried = deliver(client, late)

    assert retried.status_code == 200 and retried.get_json()["outcome"] == "late_refunded"
    assert [c.idempotency_key for c in fake_stripe.calls("POST", REFUNDS)] == [f"late-{late['id']}"] * 2
    assert len(fake_stripe.refunds) == 1


# --- everything else -----------------------------------------------------------------------------

def test_unknown_event_types_are_recorded_and_ignored(client, card):
    event = make_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = deliver(client, event)

    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    assert db.session.get(StripeEvent, event["id"]).type == "customer.created"
    assert _state(card)[0] == "pending"


def test_an_event_for_a_checkout_we_do_not_know_is_acknowledged(client, card):
    session = {"id": "cs_test_other_shop", "object": "checkout.session", "payment_status": "paid",
               "client_reference_id": "KU-000000-ZZZZZ", "amount_total": 100, "currency": "idr"}

    response = deliver(client, make_event("checkout.session.completed", session))

    assert response.status_code == 200 and response.get_json()["outcome"] == "unknown_payment"
    assert _state(card)[0] == "pending"
