"""GET /healthz (alive), /readyz (ready to serve) and /metrics (Prometheus)."""

import hmac
import logging

from flask import Response, abort, current_app, jsonify, request

from catalog import health
from catalog.authz import public
from catalog.observability import metrics
from catalog.web.ops import bp

log = logging.getLogger(__name__)


@bp.get("/healthz")
@public
def healthz():
    """Public (liveness): the process answers. Touches no database or Redis, so a slow dependency
    never gets a live worker restarted; /readyz checks those."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    """Public (readiness): every dependency checked (catalog/health.py). 200 "ready"; 200
    "degraded" when only an optional one (Redis) fails; 503 "unready" when a required one fails,
    so the load balancer sends no traffic here. Never a 500: a broken check is a 503 too."""
    try:
        checks = health.readiness()
    except Exception as error:  # noqa: BLE001  (the checks never raise; this guards the guarantee)
        log.exception("readiness checks failed")
        return jsonify(status="unready", checks={}, error=type(error).__name__), 503
    body = {"checks": {check.name: check.as_dict() for check in checks}}
    if not health.is_ready(checks):
        return jsonify(status="unready", **body), 503
    return jsonify(status="ready" if all(check.ok for check in checks) else "degraded", **body)


@bp.get("/metrics")
@public
def prometheus_metrics():
    """Public address, but only a caller with METRICS_TOKEN (`Authorization: Bearer <token>`)
    gets the figures: 404 while no token is configured (metrics switched off), 401 otherwise."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not token:
        abort(404)
    if not _bearer_matches(token):
        response = jsonify(error="unauthorized")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


def _bearer_matches(token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Bytes: compare_digest refuses str with non-ASCII characters, and a header may carry them.
    return hmac.compare_digest(given.strip().encode(), token.encode())
