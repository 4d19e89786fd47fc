"""A stand-in for Stripe's API in tests, plus the fixtures and builders the Stripe tests share.

FakeStripe is a small threaded HTTP server on 127.0.0.1 (a free port) that answers the calls the
app makes (create and retrieve a Checkout Session, create a refund) with JSON shaped like
Stripe's, records every request (method, path, form fields, Idempotency-Key) and can be told to
fail the next matching call with a Stripe error body. The app is pointed at it through the
STRIPE_API_BASE setting; webhook deliveries are signed locally with the test webhook secret.
"""

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from catalog.extensions import db
from catalog.models import DeliveryOption
from catalog.services import cart as carts
from catalog.services import checkout
from tests.factories import KEC_SERPONG, gen_address, gen_product, gen_seller, gen_user

SECRET_KEY = "sk_test_katalog_fake"
WEBHOOK_SECRET = "whsec_katalog_fake_secret"
SESSIONS = "/v1/checkout/sessions"
REFUNDS = "/v1/refunds"


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    idempotency_key: str | None
    authorization: str | None


@dataclass
class _Failure:
    method: str
    path: str
    status: int
    body: dict
    times: int


@dataclass
class FakeStripe:
    """The fake API. `requests` lists what the app sent; `sessions` holds the sessions by id."""

    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict] = field(default_factory=dict)
    refunds: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        self._replies: dict[str, tuple[int, dict]] = {}  # Idempotency-Key → the first answer
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                fake._serve(self, "GET")

            def do_POST(self):  # noqa: N802
                fake._serve(self, "POST")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- what tests tell it ----------------------------------------------------------------------

    def fail(self, method: str, path: str, status: int = 402, *, code: str = "card_declined",
             error_type: str = "card_error", message: str = "Your card was declined.", times: int = 1) -> None:
        """Answer the next `times` calls of `method` to a path starting with `path` with a
        Stripe error (402 card error by default; 500 with error_type="api_error")."""
        body = {"error": {"type": error_type, "code": code, "message": message}}
        with self._lock:
            self._failures.append(_Failure(method, path, status, body, times))

    def pay(self, session_id: str, payment_intent: str | None = None) -> dict:
        """The shopper paid on Stripe's page: the session is complete and paid."""
        with self._lock:
            session = self.sessions[session_id]
            session.update(status="complete", payment_status="paid",
                           payment_intent=payment_intent or f"pi_test_{secrets.token_hex(8)}")
            return dict(session)

    def expire(self, session_id: str) -> dict:
        with self._lock:
            session = self.sessions[session_id]
            session.update(status="expired", url=None)
            return dict(session)

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path)]

    # --- serving ---------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = urlsplit(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(handler.rfile.read(length).decode(), keep_blank_values=True))
        key = handler.headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append(Recorded(method, path, form, key, handler.headers.get("Authorization")))
            status, body = self._answer(method, path, form, key)
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", f"req_{next(self._ids)}")
        if status >= 400:
            handler.send_header("Stripe-Should-Retry", "false")  # keeps the client from sleeping and retrying
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, method: str, path: str, form: dict, key: str | None) -> tuple[int, dict]:
        failure = next((f for f in self._failures if f.method == method and path.startswith(f.path)), None)
        if failure is not None:
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            return failure.status, failure.body
        if key and method == "POST" and key in self._replies:
            return self._replies[key]  # Stripe replays the first answer to a repeated key
        if method == "POST" and path == SESSIONS:
            reply = 200, self._create_session(form)
        elif method == "GET" and path.startswith(SESSIONS + "/"):
            session = self.sessions.get(path.rsplit("/", 1)[1])
            reply = (200, dict(session)) if session else _missing("checkout.session")
        elif method == "POST" and path == REFUNDS:
            reply = self._create_refund(form)
        else:
            reply = _missing(path)
        if key and method == "POST" and reply[0] == 200:
            self._replies[key] = reply
        return reply

    def _create_session(self, form: dict) -> dict:
        session_id = f"cs_test_{secrets.token_hex(12)}"
        total = 0
        for index in itertools.count():
            prefix = f"line_items[{index}]"
            if f"{prefix}[quantity]" not in form:
                break
            total += int(form[f"{prefix}[price_data][unit_amount]"]) * int(form[f"{prefix}[quantity]"])
        session = {
            "id": session_id, "object": "checkout.session", "mode": form.get("mode"),
            "status": "open", "payment_status": "unpaid", "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "amount_total": total, "currency": form.get("currency", "idr"),
            "client_reference_id": form.get("client_reference_id"), "customer_email": form.get("customer_email"),
            "metadata": {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "expires_at": int(form.get("expires_at") or time.time() + 86400), "payment_intent": None,
            "success_url": form.get("success_url"), "cancel_url": form.get("cancel_url"), "livemode": False,
        }
        self.sessions[session_id] = session
        return dict(session)

    def _create_refund(self, form: dict) -> tuple[int, dict]:
        intent = form.get("payment_intent")
        paid = next((s for s in self.sessions.values() if s["payment_intent"] == intent and s["payment_status"] == "paid"),
                    None)
        if paid is None:
            return _missing("payment_intent")
        amount = int(form.get("amount") or paid["amount_total"])
        already = sum(r["amount"] for r in self.refunds if r["payment_intent"] == intent)
        if already + amount > paid["amount_total"]:
            return 400, {"error": {"type": "invalid_request_error", "code": "amount_too_large",
                                   "message": "Refund amount is greater than unrefunded amount on charge."}}
        refund = {"id": f"re_test_{secrets.token_hex(8)}", "object": "refund", "amount": amount, "currency": "idr",
                  "payment_intent": intent, "status": "succeeded", "reason": form.get("reason"),
                  "metadata": {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")}}
        self.refunds.append(refund)
        return 200, dict(refund)


def _missing(what: str) -> tuple[int, dict]:
    return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                           "message": f"No such {what}"}}


def line_items(form: dict) -> list[dict]:
    """The line items of a recorded create-session request, as (name, unit_amount, quantity)."""
    items = []
    for index in itertools.count():
        prefix = f"line_items[{index}]"
        if f"{prefix}[quantity]" not in form:
            return items
        items.append({"name": form[f"{prefix}[price_data][product_data][name]"],
                      "currency": form[f"{prefix}[price_data][currency]"],
                      "unit_amount": int(form[f"{prefix}[price_data][unit_amount]"]),
                      "quantity": int(form[f"{prefix}[quantity]"])})


# --- webhooks ------------------------------------------------------------------------------------

def signed(event: dict | bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and the Stripe-Signature header of a delivery, signed as Stripe signs it."""
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    try:
        return body, stripe.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp=timestamp)
    except UnicodeDecodeError:
        # Stripe's helper takes text; a body that is not UTF-8 is signed by hand, the same HMAC.
        timestamp = timestamp or int(time.time())
        digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return body, f"t={timestamp},v1={digest}"


def make_event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {"id": event_id or f"evt_test_{secrets.token_hex(10)}", "object": "event", "api_version": "2026-10-28",
            "created": int(time.time()), "type": event_type, "livemode": False, "data": {"object": obj}}


def deliver(client, event: dict | bytes, **kw):
    body, header = signed(event, **kw)
    return client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header},
                       content_type="application/json")


# --- fixtures and an order to pay ----------------------------------------------------------------

@pytest.fixture
def fake_stripe():
    fake = FakeStripe()
    yield fake
    fake.close()


@pytest.fixture
def stripe_app(make_app, fake_stripe):
    """The app with Stripe keys set and its API pointed at the fake, context pushed."""
    app = make_app(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=fake_stripe.url)
    with app.app_context():
        yield app


@dataclass
class CardOrder:
    group: object
    shopper: object
    products: list  # [keripik (seller 1, courier fee), batik (seller 2, pickup)]
    quantities: list[int]


SHIPPING_FEE = 10_000


def place_card_order(shopper=None) -> CardOrder:
    """A checkout paid by card: 2 bags of keripik from a Pamulang seller (Rp 15.000, a courier
    fee of Rp 10.000) and 1 batik shirt from a Serpong seller (Rp 125.000, pickup)."""
    shopper = shopper or gen_user()
    keripik = gen_product(seller=gen_seller(), title="Keripik Singkong Pedas", price=15_000, stock=10)
    batik = gen_product(seller=gen_seller(kecamatan=KEC_SERPONG), title="Kemeja Batik Tangsel", price=125_000, stock=5)
    db.session.add(DeliveryOption(seller_id=keripik.seller_id, kind="courier", name="JNE Reguler", fee=SHIPPING_FEE))
    address = gen_address(shopper)
    db.session.commit()
    quantities = [2, 1]
    for product, quantity in zip((keripik, batik), quantities, strict=True):
        carts.add_item(user_id=shopper.id, token=None, variant_id=product.variants[0].id, quantity=quantity)
    cart = carts.cart_for(user_id=shopper.id)
    quote = checkout.quote(cart, address)
    chosen = {s.seller.id: s.chosen.key for s in quote.sellers}
    group = checkout.place_order(user=shopper, cart=cart, address=address, chosen=chosen, method="card",
                                 expected_total=quote.total, checkout_token=checkout.new_checkout_token())
    return CardOrder(group=group, shopper=shopper, products=[keripik, batik], quantities=quantities)


URLS = {"success_url": "http://localhost/checkout/kartu/selesai", "cancel_url": "http://localhost/checkout/kartu/batal"}
