"""Log lines with the request they belong to: JSON objects, one per line, for a log shipper
(LOG_FORMAT=json, the production default) or plain text for a developer's terminal.

Every line written during a request carries its request id (the X-Request-ID that gunicorn's
access log and the audit events hold too), method, path and the logged-in user's id.
"""

import json
import logging
import sys
import time
from datetime import datetime, timezone

from flask import Flask, g, has_app_context, has_request_context, request

FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
CONTEXT_FIELDS = ("request_id", "method", "path", "user_id")
# Attributes every LogRecord has; anything else on a record came from `extra=` and is written out.
_RECORD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", *CONTEXT_FIELDS}

request_log = logging.getLogger("catalog.request")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners replace it), not to the stream
    that was current when the app was built. stderr, not stdout: what a CLI command prints (a CSV,
    a path) stays clean for a pipe; under systemd both reach the journal."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class RequestContext(logging.Filter):
    """Adds the request's id, method, path and user id to each record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for field, value in request_fields().items():
            if not hasattr(record, field):
                setattr(record, field, value)
        return True


def request_fields() -> dict:
    fields = dict.fromkeys(CONTEXT_FIELDS)
    if has_request_context():
        fields.update(request_id=g.get("request_id"), method=request.method, path=request.path, user_id=_user_id())
    elif has_app_context():
        fields["request_id"] = g.get("request_id")
    return fields


def _user_id() -> int | None:
    """The logged-in user's id if Flask-Login already loaded the user in this request. Never
    loads it (a log line must not run a query), nor reads an attribute an earlier commit expired."""
    from flask_login import AnonymousUserMixin
    from sqlalchemy import inspect

    user = g.get("_login_user")
    if user is None or isinstance(user, AnonymousUserMixin):
        return None
    state = inspect(user, raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            if getattr(record, field, None) is not None:
                entry[field] = getattr(record, field)
        entry.update(_extras(record))
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The text line, with the `extra=` fields (status, duration_ms, …) as key=value at the end."""

    def __init__(self):
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        line = super().format(record)
        extras = _extras(record)
        if extras:
            first, newline, rest = line.partition("\n")
            line = first + " " + " ".join(f"{k}={v}" for k, v in extras.items()) + newline + rest
        return line


def _extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRS and not k.startswith("_")}


def configure_logging(app: Flask) -> None:
    """One handler on the root logger (every library's messages take the same format), set up
    again by each app built in this process; the last one's settings apply."""
    fmt = str(app.config.get("LOG_FORMAT") or "text").strip().lower()
    if fmt not in FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    level = str(app.config.get("LOG_LEVEL") or "INFO").strip().upper()
    if not isinstance(logging.getLevelName(level), int):
        raise RuntimeError(f"LOG_LEVEL {level!r} is not a logging level (DEBUG, INFO, WARNING, ERROR)")

    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.addFilter(RequestContext())
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.setLevel(level)
    # /readyz asks Alembic for the schema's revision on every probe: two INFO lines each time.
    # `flask db upgrade` still prints its steps (migrations/env.py sets Alembic's levels again).
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))

    from flask.logging import default_handler

    # Flask's own stderr handler on app.logger would write each app message a second time.
    app.logger.removeHandler(default_handler)

    if app.config.get("LOG_REQUESTS"):
        app.before_request(_start_timer)
        app.after_request(_log_request)


def _start_timer() -> None:
    g._log_started = time.perf_counter()


def _log_request(response):
    started = g.get("_log_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    request_log.info("request", extra={"status": response.status_code, "duration_ms": duration_ms})
    return response
