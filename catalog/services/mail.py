"""Outgoing email: SMTP when MAIL_SERVER is set, otherwise the whole message goes to the log.
With REDIS_URL set, send_email puts the message on the "mail" queue and a worker delivers it."""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

log = logging.getLogger("catalog.mail")
# Without a mail server the log is the only place a developer finds a reset link, so these
# messages are shown even when the root logger keeps its default WARNING level.
log.setLevel(logging.INFO)

SMTP_TIMEOUT = 15


def build_message(to: str, subject: str, text_body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="katalogumkm.id")
    message.set_content(text_body)
    return message


def send_email(to: str, subject: str, text_body: str) -> bool:
    """Send one plain-text email. Returns False (and logs why) when the SMTP server refuses;
    callers must not turn a mail failure into an error page."""
    app = current_app._get_current_object()
    if app.testing:
        app.extensions.setdefault("mail_outbox", []).append({"to": to, "subject": subject, "body": text_body})
    if app.config.get("REDIS_URL"):
        from catalog.jobs import queue_email

        if queue_email(to, subject, text_body):  # a worker delivers it, retrying a refusing server
            return True
    return deliver(to, subject, text_body)


def deliver(to: str, subject: str, text_body: str) -> bool:
    """Hand the message to SMTP (or the log) now; False when the server refuses."""
    app = current_app._get_current_object()
    message = build_message(to, subject, text_body)
    config = app.config
    if not config.get("MAIL_SERVER"):
        app.logger  # noqa: B018  (attaches Flask's stderr handler to the "catalog" logger we propagate to)
        # The decoded text, not message.as_string(): quoted-printable would break the links.
        log.info("Email not sent (MAIL_SERVER is not set); printed here instead:\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                 message["From"], to, subject, text_body)
        return True
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 587), timeout=SMTP_TIMEOUT) as smtp:
            if config.get("MAIL_USE_TLS", True):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError):
        log.exception("Sending email %r to %s failed", subject, to)
        return False
    log.info("Email %r sent to %s", subject, to)
    return True
