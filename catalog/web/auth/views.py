"""Account views (skeleton: endpoints fixed, bodies filled in by the accounts work)."""

from flask import redirect, url_for
from flask_login import logout_user

from catalog.authz import anonymous_only, login_required, public
from catalog.web.auth import bp


@bp.route("/masuk", methods=["GET", "POST"])
@anonymous_only
def login():
    return redirect(url_for("public.home"))


@bp.route("/daftar", methods=["GET", "POST"])
@anonymous_only
def register():
    return redirect(url_for("public.home"))


@bp.post("/keluar")
@login_required
def logout():
    logout_user()
    return redirect(url_for("public.home"))


@bp.route("/akun", methods=["GET", "POST"])
@login_required
def account():
    return redirect(url_for("public.home"))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password():
    return redirect(url_for("public.home"))


@bp.route("/lupa-kata-sandi", methods=["GET", "POST"])
@anonymous_only
def forgot_password():
    return redirect(url_for("public.home"))


@bp.route("/atur-ulang-kata-sandi/<token>", methods=["GET", "POST"])
@anonymous_only
def reset_password(token):
    return redirect(url_for("public.home"))


@bp.post("/bahasa")
@public
def set_language():
    return redirect(url_for("public.home"))
