"""Card payment through Stripe Checkout: the session a shopper pays on, the check made when the
shopper comes back, refunds, and Stripe's webhook events. Rupiah cross to Stripe only through
to_stripe_amount() / from_stripe_amount(); our payment state moves only through
services/payments.py."""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import stripe
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.extensions import db
from catalog.models import OrderGroup, Payment, StripeEvent
from catalog.models.base import utcnow
from catalog.models.orders import (
    PAY_CANCELLED,
    PAY_EXPIRED,
    PAY_FAILED,
    PAY_PAID,
    PAY_PARTIALLY_REFUNDED,
    PAY_PENDING,
    PAY_REFUNDED,
    PAYMENT_CARD,
)
from catalog.services import audit, payments
from catalog.services.errors import DomainError, InvalidTransition, ValidationFailed

log = logging.getLogger(__name__)

CURRENCY = "idr"
# Stripe counts IDR in hundredths (two decimals) although nobody pays in sen.
IDR_MINOR_UNITS = 100
# Stripe refuses a Checkout Session that expires sooner than 30 minutes or later than 24 hours
# after it is created; a minute either way absorbs the clocks and the request's own time.
SESSION_MIN_LIFETIME = timedelta(minutes=31)
SESSION_MAX_LIFETIME = timedelta(hours=24) - timedelta(minutes=1)
MAX_LINE_ITEMS = 100  # Stripe's limit per Checkout Session
LINE_NAME_MAX = 250
HTTP_TIMEOUT_SECONDS = 20
NETWORK_RETRIES = 2  # safe: every create call carries an idempotency key
WEBHOOK_TOLERANCE_SECONDS = 300  # an older signed delivery is refused (replayed by someone else)
PAID_STATES = (PAY_PAID, PAY_PARTIALLY_REFUNDED, PAY_REFUNDED)
CLOSED_UNPAID_STATES = (PAY_EXPIRED, PAY_CANCELLED, PAY_FAILED)


class GatewayError(DomainError):
    """Stripe refused the request or could not be reached."""


class WebhookRejected(DomainError):
    """A webhook delivery that is not a genuine, readable Stripe event (the view answers 400)."""


def enabled() -> bool:
    """Card payment is offered only when a Stripe secret key is configured."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


# --- amounts -------------------------------------------------------------------------------------

def _check_amount(value: int) -> None:
    # bool is an int to Python, never an amount.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"an amount must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError("an amount cannot be negative")


def to_stripe_amount(rupiah: int) -> int:
    """Integer Rupiah → Stripe's IDR amount (two decimals): Rp 15.000 → 1500000."""
    _check_amount(rupiah)
    return rupiah * IDR_MINOR_UNITS


def from_stripe_amount(amount: int) -> int:
    """Stripe's IDR amount → integer Rupiah. Sen (only possible from a hand-made partial refund
    in Stripe's dashboard) are dropped: we never count more than Stripe moved."""
    _check_amount(amount)
    return amount // IDR_MINOR_UNITS


# --- talking to Stripe ---------------------------------------------------------------------------

@contextmanager
def _client() -> Iterator[stripe.StripeClient]:
    """A client for one call. STRIPE_API_BASE (None: Stripe's own) lets tests point it at a
    local server. Its HTTP session is closed afterwards, so no socket outlives the request."""
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        raise GatewayError(_l("Pembayaran kartu sedang tidak tersedia."))
    base = current_app.config.get("STRIPE_API_BASE")
    http = stripe.RequestsClient(timeout=HTTP_TIMEOUT_SECONDS)
    try:
        yield stripe.StripeClient(key, http_client=http, max_network_retries=NETWORK_RETRIES,
                                  base_addresses={"api": base} if base else None)
    finally:
        http.close()


def _gateway_error(error: stripe.StripeError) -> GatewayError:
    log.warning("Stripe error %s (%s): %s", type(error).__name__, getattr(error, "code", None), error)
    if isinstance(error, stripe.APIConnectionError):
        return GatewayError(_l("Stripe tidak dapat dihubungi"))
    return GatewayError(_l("Stripe menolak permintaan ini"))


def _error_detail(error: stripe.StripeError) -> dict:
    """What the audit trail keeps of a Stripe error (no card data is ever in it)."""
    return {"error": type(error).__name__, "code": getattr(error, "code", None),
            "http_status": getattr(error, "http_status", None), "message": str(error)[:300]}


def _retrieve_session(session_id: str) -> dict:
    try:
        with _client() as client:
            return client.v1.checkout.sessions.retrieve(session_id).to_dict()
    except stripe.StripeError as error:
        raise _gateway_error(error) from None


def _refund_intent(payment_intent: str, stripe_amount: int, *, idempotency_key: str, group_number: str) -> str:
    try:
        with _client() as client:
            refund_obj = client.v1.refunds.create(
                params={"payment_intent": payment_intent, "amount": stripe_amount, "reason": "requested_by_customer",
                        "metadata": {"group_number": group_number}},
                options={"idempotency_key": idempotency_key},
            ).to_dict()
    except stripe.StripeError as error:
        raise _gateway_error(error) from None
    if refund_obj.get("status") in ("failed", "canceled"):
        raise GatewayError(_l("Stripe menolak permintaan ini"))
    return refund_obj["id"]


# --- starting a payment --------------------------------------------------------------------------

def _line(name: str, unit_rupiah: int, quantity: int) -> dict:
    return {
        "price_data": {"currency": CURRENCY, "unit_amount": to_stripe_amount(unit_rupiah),
                       "product_data": {"name": name[:LINE_NAME_MAX]}},
        "quantity": quantity,
    }


def _line_items(group: OrderGroup) -> list[dict]:
    """One line per ordered item and one per seller's shipping fee, so Stripe's page and receipt
    show what the shopper bought. A checkout with more lines than Stripe takes is shown as one
    line per seller's order instead (the same total)."""
    lines = []
    for order in group.orders:
        for item in order.items:
            name = f"{item.title} ({item.variant_label})" if item.variant_label else item.title
            lines.append(_line(name, item.unit_price, item.quantity))
        if order.shipping_fee > 0:
            lines.append(_line(str(_l("Ongkos kirim %(seller)s: %(delivery)s", seller=order.seller.business_name,
                                      delivery=order.delivery_name)), order.shipping_fee, 1))
    if len(lines) > MAX_LINE_ITEMS:
        lines = [_line(str(_l("Pesanan %(number)s dari %(seller)s", number=order.number,
                              seller=order.seller.business_name)), order.total, 1)
                 for order in group.orders]
    return lines


def _session_expiry(payment: Payment, now: datetime) -> datetime:
    """When the Checkout Session closes: the payment's deadline, kept within Stripe's bounds. A
    deadline too close for Stripe moves out to Stripe's minimum, so the shopper is never cut off
    on Stripe's page while our side still waits (a session may not outlive the payment)."""
    expiry = min(max(payment.expires_at, now + SESSION_MIN_LIFETIME), now + SESSION_MAX_LIFETIME)
    if expiry > payment.expires_at:
        payment.expires_at = expiry
    return expiry


def start_checkout(group: OrderGroup, *, success_url: str, cancel_url: str) -> str:
    """The address of Stripe's payment page for a pending card checkout. A session still open
    is reused (the shopper went back and wants to pay after all); an expired one is replaced by
    a new session. Commits.

    When Stripe cannot create the session the payment fails: the orders are cancelled, the stock
    returns, and GatewayError says so. A retrieval error changes nothing (GatewayError).
    """
    payment = group.payment
    if payment.method != PAYMENT_CARD:
        raise ValidationFailed(_l("Pesanan ini tidak dibayar dengan kartu."))
    if payment.status in PAID_STATES:
        raise InvalidTransition(_l("Pesanan ini sudah dibayar."))
    if payment.status != PAY_PENDING:
        raise InvalidTransition(_l("Pesanan ini sudah dibatalkan; silakan pesan lagi."))
    if payments.expire_if_due(payment):
        raise InvalidTransition(_l("Batas waktu pembayaran sudah lewat; pesanan dibatalkan dan stok dikembalikan."))

    idempotency_key = f"checkout-{group.number}"
    if payment.stripe_session_id:
        session = _retrieve_session(payment.stripe_session_id)
        if session.get("status") == "open" and session.get("url"):
            return session["url"]
        if session.get("status") == "complete":
            _lock(payment)
            _settle_paid_session(payment, session)
            db.session.commit()
            return success_url
        # Expired before our deadline (closed by hand in Stripe's dashboard): a new session, with
        # its own key, since Stripe would answer the old key with the old, expired session.
        idempotency_key = f"checkout-{group.number}-after-{payment.stripe_session_id}"

    now = utcnow()
    expires_at = _session_expiry(payment, now)
    params: dict[str, Any] = {
        "mode": "payment",
        "currency": CURRENCY,
        "line_items": _line_items(group),
        "client_reference_id": group.number,
        "customer_email": group.user.email,
        "metadata": {"group_number": group.number, "payment_id": str(payment.id)},
        # Copied onto the PaymentIntent, so its events (payment_failed, charge.refunded) lead
        # back to the checkout even before we know the intent's id.
        "payment_intent_data": {"metadata": {"group_number": group.number},
                                "description": f"Katalog UMKM {group.number}"},
        "locale": "en" if group.user.locale == "en" else "id",
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    try:
        with _client() as client:
            session = client.v1.checkout.sessions.create(params=params,
                                                         options={"idempotency_key": idempotency_key}).to_dict()
    except stripe.StripeError as error:
        db.session.rollback()  # drop the unsaved deadline change; fail() starts from the stored row
        gateway_error = _gateway_error(error)
        audit.record("payment.stripe_error", payment, after={"call": "checkout.sessions.create", **_error_detail(error)})
        payments.fail(payment, str(_l("Halaman pembayaran kartu tidak dapat dibuka: %(error)s.",
                                      error=gateway_error.message)))
        db.session.commit()
        raise GatewayError(_l("Halaman pembayaran kartu tidak dapat dibuka (%(error)s). Pesanan dibatalkan dan "
                              "stok dikembalikan; silakan pesan lagi.", error=gateway_error.message)) from None
    payment.stripe_session_id = session["id"]
    audit.record("payment.stripe_session", payment, after={"session": session["id"], "expires_at": payment.expires_at,
                                                           "amount": payment.amount})
    db.session.commit()
    return session["url"]


# --- coming back from Stripe ---------------------------------------------------------------------

def _lock(payment: Payment) -> None:
    """Re-read the payment row under a row lock (PostgreSQL), so the success page and a webhook
    arriving together cannot both mark it paid."""
    db.session.refresh(payment, with_for_update=True)


def _session_matches(payment: Payment, session: dict) -> bool:
    """Never take Stripe's word for a different checkout or a different amount."""
    return (session.get("client_reference_id") == payment.group.number
            and (session.get("currency") or CURRENCY).lower() == CURRENCY
            and session.get("amount_total") == to_stripe_amount(payment.amount))


def _settle_paid_session(payment: Payment, session: dict) -> bool:
    """Mark a pending payment paid when `session` is paid for this checkout's amount. In the
    caller's transaction, which has locked the payment; returns whether it is (now) paid."""
    if payment.status in PAID_STATES:
        return True
    if payment.status != PAY_PENDING or session.get("payment_status") != "paid":
        return False
    if not _session_matches(payment, session):
        audit.record("payment.stripe_mismatch", payment, after={
            "session": session.get("id"), "client_reference_id": session.get("client_reference_id"),
            "amount_total": session.get("amount_total"), "currency": session.get("currency")})
        return False
    payments.mark_paid(payment, actor_id=None, source="stripe", payment_intent=session.get("payment_intent"))
    return True


def sync_session(group: OrderGroup) -> bool:
    """Ask Stripe how the checkout's session stands (the success redirect alone proves nothing)
    and mark the payment paid when Stripe says so. Returns whether it is paid. Commits;
    GatewayError when Stripe cannot be asked."""
    payment = group.payment
    if payment.status in PAID_STATES:
        return True
    if payment.method != PAYMENT_CARD or payment.status != PAY_PENDING or not payment.stripe_session_id:
        return False
    session = _retrieve_session(payment.stripe_session_id)
    _lock(payment)
    paid = _settle_paid_session(payment, session)
    db.session.commit()
    return paid


# --- refunds -------------------------------------------------------------------------------------

def refund(payment: Payment, amount: int, *, idempotency_key: str) -> str:
    """Return `amount` Rupiah of a card payment to the shopper through Stripe; the id of Stripe's
    refund. Changes nothing here: the caller records the refund once this succeeded. The
    idempotency key makes a retried request refund once."""
    _check_amount(amount)
    if amount == 0:
        raise ValueError("nothing to refund")
    if payment.method != PAYMENT_CARD or not payment.stripe_payment_intent:
        raise GatewayError(_l("pembayaran kartu ini tidak tercatat di Stripe"))
    return _refund_intent(payment.stripe_payment_intent, to_stripe_amount(amount), idempotency_key=idempotency_key,
                          group_number=payment.group.number)


# --- webhook events ------------------------------------------------------------------------------

def _parse(payload: bytes, sig_header: str | None) -> dict:
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        # Without a secret nothing can be verified: never accept an unsigned event.
        raise WebhookRejected(_l("Webhook Stripe belum dikonfigurasi."))
    # Webhook.construct_event() is verify_header() followed by json.loads() into an Event object;
    # the two steps apart let malformed JSON be refused cleanly and keep the handlers on plain dicts.
    try:
        stripe.WebhookSignature.verify_header(payload, sig_header, secret, WEBHOOK_TOLERANCE_SECONDS)
        event = json.loads(payload)
    except stripe.SignatureVerificationError:
        raise WebhookRejected(_l("Tanda tangan webhook tidak sah.")) from None
    except ValueError:  # not UTF-8 or not JSON
        raise WebhookRejected(_l("Isi webhook tidak dapat dibaca.")) from None
    if not (isinstance(event, dict) and isinstance(event.get("id"), str) and isinstance(event.get("type"), str)
            and isinstance(event.get("data"), dict) and isinstance(event["data"].get("object"), dict)):
        raise WebhookRejected(_l("Isi webhook tidak dapat dibaca."))
    return event


def _payment_by_group_number(number: Any) -> Payment | None:
    if not isinstance(number, str) or not number:
        return None
    return db.session.scalar(select(Payment).join(OrderGroup).where(OrderGroup.number == number,
                                                                    Payment.method == PAYMENT_CARD))


def _payment_for_session(session: dict) -> Payment | None:
    if isinstance(session.get("id"), str):
        payment = db.session.scalar(select(Payment).where(Payment.stripe_session_id == session["id"]))
        if payment is not None:
            return payment
    metadata = session.get("metadata") if isinstance(session.get("metadata"), dict) else {}
    return (_payment_by_group_number(session.get("client_reference_id"))
            or _payment_by_group_number(metadata.get("group_number")))


def _payment_for_intent(payment_intent: Any, metadata: Any) -> Payment | None:
    payment = None
    if isinstance(payment_intent, str) and payment_intent:
        payment = db.session.scalar(select(Payment).where(Payment.stripe_payment_intent == payment_intent))
    if payment is None and isinstance(metadata, dict):
        payment = _payment_by_group_number(metadata.get("group_number"))
    return payment


def _on_session_paid(event: dict, session: dict) -> tuple[str, Payment | None]:
    """checkout.session.completed / async_payment_succeeded."""
    payment = _payment_for_session(session)
    if payment is None:
        return "unknown_payment", None
    _lock(payment)
    if session.get("payment_status") != "paid":
        return "awaiting_payment", payment  # a delayed method: async_payment_succeeded follows
    if payment.status in PAID_STATES:
        return "already_paid", payment  # the success page (or an earlier delivery) got there first
    if payment.status in CLOSED_UNPAID_STATES:
        return _refund_late_payment(event, session, payment), payment
    if _settle_paid_session(payment, session):
        return "paid", payment
    return "ignored", payment


def _refund_late_payment(event: dict, session: dict, payment: Payment) -> str:
    """Money for a checkout we already closed (expired, cancelled, failed) and whose stock went
    back: the money must not be kept. A full refund through Stripe; the payment keeps its state
    and the audit trail says what happened. A refused refund raises GatewayError: the event is
    not recorded, so Stripe delivers it again (the key makes the retry refund once)."""
    intent = session.get("payment_intent")
    amount = session.get("amount_total")
    if not isinstance(intent, str) or not isinstance(amount, int) or amount <= 0:
        audit.record("payment.stripe_late_payment", payment, after={"session": session.get("id"), "refund": None},
                     reason="late payment without a refundable intent")
        return "late_unrefundable"
    refund_id = _refund_intent(intent, amount, idempotency_key=f"late-{event['id']}",
                               group_number=payment.group.number)
    payment.stripe_payment_intent = payment.stripe_payment_intent or intent
    audit.record("payment.stripe_late_refund", payment,
                 before={"status": payment.status},
                 after={"session": session.get("id"), "payment_intent": intent, "refund": refund_id,
                        "amount": from_stripe_amount(amount)},
                 reason="paid after the checkout was closed; refunded in full")
    return "late_refunded"


def _on_session_expired(event: dict, session: dict) -> tuple[str, Payment | None]:
    payment = _payment_for_session(session)
    if payment is None:
        return "unknown_payment", None
    _lock(payment)
    if payment.stripe_session_id and payment.stripe_session_id != session.get("id"):
        return "ignored", payment  # an older session, replaced by the one the shopper pays on now
    if payment.status != PAY_PENDING:
        return "ignored", payment  # paid, or closed already: events may arrive out of order
    payments.expire(payment)
    return "expired", payment


def _on_payment_failed(event: dict, intent: dict) -> tuple[str, Payment | None]:
    payment = _payment_for_intent(intent.get("id"), intent.get("metadata"))
    if payment is None:
        return "unknown_payment", None
    if payment.status != PAY_PENDING:
        return "ignored", payment
    error = intent.get("last_payment_error") or {}
    message = str(error.get("message") or error.get("code") or "payment failed")[:300]
    # The state stays pending: a declined card does not end a Checkout Session, the shopper may
    # try another card on the same page until it expires (checkout.session.expired ends it).
    payment.last_error = message
    audit.record("payment.stripe_attempt_failed", payment, after={
        "payment_intent": intent.get("id"), "code": error.get("code"), "decline_code": error.get("decline_code"),
        "message": message})
    return "attempt_failed", payment


def _on_charge_refunded(event: dict, charge: dict) -> tuple[str, Payment | None]:
    payment = _payment_for_intent(charge.get("payment_intent"), charge.get("metadata"))
    if payment is None:
        return "unknown_payment", None
    refunded = charge.get("amount_refunded")
    if (charge.get("currency") or CURRENCY).lower() != CURRENCY or isinstance(refunded, bool) \
            or not isinstance(refunded, int) or refunded < 0:
        return "ignored", payment
    _lock(payment)
    changed = payments.sync_refunded_total(payment, from_stripe_amount(refunded), actor_id=None,
                                           reason="stripe charge.refunded")
    return ("refund_recorded" if changed else "ignored"), payment


# Each takes the event and its data.object and returns (outcome, the payment it concerned).
HANDLERS = {
    "checkout.session.completed": _on_session_paid,
    "checkout.session.async_payment_succeeded": _on_session_paid,
    "checkout.session.expired": _on_session_expired,
    "payment_intent.payment_failed": _on_payment_failed,
    "charge.refunded": _on_charge_refunded,
}


def handle_event(payload: bytes, sig_header: str | None) -> str:
    """Verify and apply one webhook delivery; returns what happened ("paid", "expired",
    "duplicate", "ignored", …). Each event id is applied once: its StripeEvent row is written in
    the same transaction as its effects, so a replay (or a second delivery racing the first)
    changes nothing. Unknown types are recorded and ignored. Commits.

    WebhookRejected: bad or missing signature, unreadable body. GatewayError: a refund Stripe
    refused; nothing is recorded, so Stripe's next delivery tries again.
    """
    event = _parse(payload, sig_header)
    record = StripeEvent(id=event["id"][:255], type=event["type"][:60])
    db.session.add(record)
    try:
        # A second delivery racing the first waits here (PostgreSQL) until the first commits.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    handler = HANDLERS.get(event["type"])
    if handler is None:
        db.session.commit()
        return "ignored"
    try:
        outcome, payment = handler(event, event["data"]["object"])
    except Exception:
        db.session.rollback()
        raise
    record.payment_id = payment.id if payment is not None else None
    db.session.commit()
    return outcome


__all__ = [
    "GatewayError", "WebhookRejected", "enabled", "from_stripe_amount", "handle_event", "refund", "start_checkout",
    "sync_session", "to_stripe_amount",
]
