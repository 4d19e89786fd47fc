"""Machine callers that watch a running instance: the load balancer (/healthz, /readyz) and
Prometheus (/metrics). No session, no CSRF (GET only), no rate limit: a probe that got a 429
would take a healthy instance out of service."""

from flask import Blueprint

from catalog.extensions import limiter

bp = Blueprint("ops", __name__)
limiter.exempt(bp)


@bp.after_request
def never_cached(response):
    # A cached "ready" would keep sending traffic to an instance that has since failed.
    response.headers["Cache-Control"] = "no-store"
    return response


from catalog.web.ops import views  # noqa: E402,F401
