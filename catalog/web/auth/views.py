"""Account views."""

from flask import redirect, url_for
from flask_login import logout_user

from catalog.authz import login_required
from catalog.web.auth import bp


@bp.get("/masuk")
@login_required
def login():
    return redirect(url_for("public.home"))


@bp.post("/keluar")
@login_required
def logout():
    logout_user()
    return redirect(url_for("public.home"))
