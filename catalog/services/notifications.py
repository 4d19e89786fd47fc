"""Telling users what happened: an in-site notification (the bell) and an email, both in the
recipient's language. Emails go out only after the transaction that caused them commits."""

import logging

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from catalog.extensions import db
from catalog.models import Notification, User
from catalog.models.base import utcnow
from catalog.services import mail

log = logging.getLogger(__name__)
OUTBOX_KEY = "pending_emails"


def notify(user: User, kind: str, title, body="", *, link: str | None = None, email: bool = True) -> Notification:
    """Add a notification for `user` in the current transaction (the caller commits).

    `title` and `body` should be lazy strings (`_l(...)`): they are rendered in the recipient's
    language, not the language of whoever caused the event.
    """
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        title_text, body_text = str(title), str(body)
    note = Notification(user_id=user.id, kind=kind, title=title_text[:200], body=body_text, link=link)
    db.session.add(note)
    if email and user.email:
        text = body_text
        if link:
            text += "\n\n" + _absolute(link)
        db.session.info.setdefault(OUTBOX_KEY, []).append((user.email, title_text, text))
    return note


def _absolute(link: str) -> str:
    base = current_app.config.get("SITE_URL", "").rstrip("/")
    return base + link if base else link


@event.listens_for(Session, "after_commit")
def _send_pending_emails(session: Session) -> None:
    pending = session.info.pop(OUTBOX_KEY, None)
    for to, subject, body in pending or ():
        try:
            mail.send_email(to, subject, body)
        except Exception:  # an unreachable mail server must not undo a committed change
            log.exception("notification email to %s failed", to)


@event.listens_for(Session, "after_rollback")
def _drop_pending_emails(session: Session) -> None:
    session.info.pop(OUTBOX_KEY, None)


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ))


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return result.rowcount or 0
