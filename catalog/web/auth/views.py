"""Account views: register, log in and out, account page, password change and reset, language.

The form views are exempt from the global CSRFProtect check so that a stale or forged token
gets a readable message on the same form with the fields kept; their FlaskForm still refuses
a missing or wrong token (see forms.AccountBaseForm). Log-out and the language switch stay
under the global check.
"""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from catalog.authz import anonymous_only, is_safe_next, login_required, next_url, public
from catalog.extensions import csrf, limiter
from catalog.models.users import ROLE_ADMIN
from catalog.services import accounts, mail
from catalog.services import cart as carts
from catalog.services.errors import DomainError, ValidationFailed
from catalog.web.auth import bp
from catalog.web.auth.forms import (
    AccountForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit() -> str:
    # Each request may send an email.
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _account_key() -> str:
    """The rate-limit key of the account a log-in or reset request names (the email as typed,
    trimmed and lower-cased), so one account guessed from many addresses is limited too."""
    return "akun:" + (request.form.get("email") or "").strip().lower()[:254]


def _safe_next_value() -> str:
    """The ?next= target to carry through a form, or "" when it leaves the site."""
    target = request.values.get("next", "")
    return target if is_safe_next(target) else ""


def _role_label(role: str) -> str:
    labels = {
        "shopper": _("Pembeli"),
        "seller": _("Penjual"),
        "officer": _("Petugas Pengadaan"),
        "admin": _("Admin Dinas"),
    }
    return labels.get(role, role)


def _remembered() -> bool:
    """Whether this browser logged in with "remember me" (its cookie must be renewed)."""
    return bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")))


def _send_templated(user, template: str, subject, **context) -> bool:
    """Render an email (lazy-translated subject, template body) in the recipient's language."""
    locale = user.locale if user.locale in current_app.config["LANGUAGES"] else "id"
    with force_locale(locale):
        body = render_template(template, user=user, **context)
        subject = str(subject)
    return mail.send_email(user.email, subject, body)


@bp.route("/masuk", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"])
@anonymous_only
def login():
    """Log-in form. Anonymous visitors only (logged-in users are sent home); POST is
    rate-limited per address (429). Never 403/404."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = _safe_next_value()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            session.permanent = True  # the session outlives the browser window (31 days)
            login_user(user, remember=bool(form.remember.data))
            flash(_("Selamat datang, %(name)s!", name=user.name), "success")
            # Session key "cart_token" (set by web/shop/cart.py for a guest's cart): what the
            # visitor put in the cart before logging in moves into the account's cart.
            if carts.merge_guest_cart(session.pop("cart_token", None), user.id):
                flash(_("Barang yang Anda masukkan ke keranjang sebelum masuk sudah digabung ke keranjang akun ini."),
                      "info")
            # Admins land on the Dinas console's queues; a safe ?next= still wins.
            return redirect(next_url("admin.home" if user.has_role(ROLE_ADMIN) else "public.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/daftar", methods=["GET", "POST"])
@csrf.exempt
@anonymous_only
def register():
    """Shopper registration. Anonymous visitors only (logged-in users are sent home). Never 403/404."""
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = _safe_next_value()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                phone=form.phone.data,
                locale=str(get_locale() or "id"),
            )
        except ValidationFailed as error:
            form.add_domain_error(error)
        else:
            login_user(user)
            carts.merge_guest_cart(session.pop("cart_token", None), user.id)  # what the guest picked stays
            flash(_("Akun Anda berhasil dibuat. Selamat datang di Katalog UMKM!"), "success")
            return redirect(next_url())
    return render_template("auth/register.html", form=form)


@bp.post("/keluar")
@login_required
def logout():
    """Log out (POST with the global CSRF token). Logged-in users; others go to the log-in page."""
    logout_user()
    flash(_("Anda sudah keluar. Sampai jumpa lagi!"), "info")
    return redirect(url_for("public.home"))


@bp.route("/akun", methods=["GET", "POST"])
@csrf.exempt
@login_required
def account():
    """The user's own account: name, phone, language. Any logged-in user; it only ever shows
    and edits current_user, so there is nothing to answer 403/404 for."""
    form = AccountForm(obj=current_user) if request.method == "GET" else AccountForm()
    if form.validate_on_submit():
        try:
            accounts.update_profile(current_user._get_current_object(), name=form.name.data, phone=form.phone.data,
                                    locale=form.locale.data)
        except ValidationFailed as error:
            form.add_domain_error(error)
        else:
            # The session's language wins over the account's in select_locale: keep them in step.
            session["lang"] = current_user.locale
            flash(_("Profil Anda sudah disimpan."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, role_label=_role_label(current_user.role))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@csrf.exempt
@login_required
def change_password():
    """Change the password (the current one is required). Any logged-in user, own account only.
    Other sessions and remember-me cookies stop working; this one stays logged in."""
    form = ChangePasswordForm(account_email=current_user.email)
    if form.validate_on_submit():
        remembered = _remembered()
        try:
            user = accounts.change_password(current_user._get_current_object(), form.current_password.data, form.password.data)
        except ValidationFailed as error:
            form.add_domain_error(error)
        else:
            # The session token was rotated: log this browser in again under the new one.
            login_user(user, remember=remembered)
            _send_templated(user, "email/password_changed.txt",
                            _l("Kata sandi akun Katalog UMKM Anda telah diubah"))
            flash(_("Kata sandi Anda sudah diganti. Perangkat lain yang masih masuk telah dikeluarkan."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/lupa-kata-sandi", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, key_func=_account_key, methods=["POST"])
@anonymous_only
def forgot_password():
    """Ask for a reset link. Anonymous visitors only; POST is rate-limited (429). The answer is
    the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.user_for_password_reset(form.email.data)
        if user is not None:
            token = accounts.make_reset_token(user)
            minutes = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
            _send_templated(
                user,
                "email/reset_password.txt",
                _l("Atur ulang kata sandi Katalog UMKM"),
                reset_url=url_for("auth.reset_password", token=token, _external=True),
                minutes=minutes,
            )
        flash(
            _("Jika email terdaftar, kami telah mengirim tautan untuk mengatur ulang kata sandi. "
              "Periksa kotak masuk (dan folder spam) Anda."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/atur-ulang-kata-sandi/<token>", methods=["GET", "POST"])
@csrf.exempt
@anonymous_only
def reset_password(token):
    """Set a new password through an emailed link. Anonymous visitors only. An expired, used
    or tampered link gets a page saying so (400) with a way to ask for a new one."""
    try:
        user = accounts.verify_reset_token(token)
    except accounts.InvalidResetToken as error:
        return render_template("auth/reset_password_invalid.html", message=error.message), 400
    form = ResetPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except accounts.InvalidResetToken as error:
            return render_template("auth/reset_password_invalid.html", message=error.message), 400
        except ValidationFailed as error:
            form.add_domain_error(error)
        else:
            _send_templated(user, "email/password_changed.txt",
                            _l("Kata sandi akun Katalog UMKM Anda telah diubah"))
            flash(_("Kata sandi Anda sudah diperbarui. Silakan masuk dengan kata sandi baru."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, token=token)


@bp.post("/bahasa")
@public
def set_language():
    """Switch the interface language (id|en) and go back to a same-site page. Anyone; the
    choice is kept in the session and, for a logged-in user, on the account. An unknown
    language changes nothing."""
    form = LanguageForm()
    if form.validate():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            accounts.set_locale(current_user._get_current_object(), form.lang.data)
    else:
        flash(_("Bahasa yang dipilih tidak tersedia."), "error")
    return redirect(next_url())
