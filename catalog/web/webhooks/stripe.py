"""POST /webhooks/stripe: Stripe's event deliveries."""

from flask import jsonify, request

from catalog.authz import public
from catalog.extensions import csrf
from catalog.services import stripe_gateway
from catalog.web.webhooks import bp


@bp.post("/stripe")
@csrf.exempt
@public
def stripe_events():
    """Public, without CSRF: Stripe has no session here, the Stripe-Signature header (checked
    against STRIPE_WEBHOOK_SECRET) proves the caller. 400 for a bad or missing signature or an
    unreadable body (Stripe does not retry those); 503 when a refund this event needs was
    refused, so Stripe delivers it again later; 200 otherwise, also for events we ignore."""
    try:
        outcome = stripe_gateway.handle_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except stripe_gateway.WebhookRejected as error:
        return jsonify(error=str(error.message)), 400
    except stripe_gateway.GatewayError as error:
        return jsonify(error=str(error.message)), 503
    return jsonify(received=True, outcome=outcome)
