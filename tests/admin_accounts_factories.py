"""Helpers for the console's agency and user tests: page text, logging a client in, audit events."""

import re
from html import unescape

from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent


def page_text(response) -> str:
    """The visible text of a response, scripts and styles dropped, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def log_in(client, user):
    """Logged in as Flask-Login does it, without depending on the /masuk form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))
