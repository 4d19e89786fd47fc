"""The user's notifications (/notifikasi) and the unread count the header bell shows."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import login_required
from catalog.services import notifications
from catalog.web.notifications import bp

SHOWN = 50


@bp.app_context_processor
def inject_unread_count() -> dict:
    """Templates get a function, not a number: the count is queried only when the header asks
    for it (never for anonymous visitors, emails or error pages without a user), once per request."""
    return {"unread_notification_count": _unread_for_current_user}


def _unread_for_current_user() -> int:
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = notifications.unread_count(current_user.id)
    return g.unread_notifications


@bp.get("/notifikasi")
@login_required
def index():
    """The logged-in user's own notifications, newest first (the latest SHOWN). Any logged-in
    user; only ever reads current_user's rows, so there is nothing to answer 403/404 for."""
    items = notifications.recent(current_user.id, limit=SHOWN)
    return render_template("notifications/index.html", items=items, shown=SHOWN,
                           unread=sum(1 for n in items if not n.is_read))


@bp.post("/notifikasi/baca-semua")
@login_required
def mark_all_read():
    """Mark every notification of the logged-in user as read (POST with the CSRF token). Any
    logged-in user; touches only current_user's rows."""
    count = notifications.mark_all_read(current_user.id)
    if count:
        flash(_("Semua pemberitahuan sudah ditandai dibaca."), "success")
    return redirect(url_for("notifications.index"))
