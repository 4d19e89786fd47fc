"""Admin: user accounts — search, one account's page (profile, role, status, last log-in, audit
events about and by the account), deactivate/reactivate, the password-reset email, role change."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import admin_required
from catalog.models.users import ROLES
from catalog.services import user_admin
from catalog.services.errors import DomainError, NotFound
from catalog.services.procurement.officers import duty_name
from catalog.web.admin import bp
from catalog.web.admin.agencies import attempt, status_of
from catalog.web.admin.forms_agencies import ReasonForm
from catalog.web.admin.forms_users import ResetLinkForm, RoleForm, status_form


@bp.get("/pengguna")
@admin_required
def users():
    """Accounts searched by name or email (?q=), filtered by role (?peran=) and status
    (?status=aktif|nonaktif), newest first, in pages (?hal=). Admins only (403 for other roles);
    unknown parameters fall back to the defaults."""
    listing = user_admin.user_list(request.args.get("q"), request.args.get("peran"), request.args.get("status"),
                                   request.args.get("hal"))
    return render_template("admin/user_list.html", listing=listing, roles=ROLES, role_name=user_admin.role_name)


@bp.get("/pengguna/<int:user_id>")
@admin_required
def user_detail(user_id: int):
    """One account with its forms. Admins only (403 for other roles); 404 for an unknown user."""
    return _render_detail(user_id)


@bp.post("/pengguna/<int:user_id>/nonaktifkan")
@admin_required
def user_deactivate(user_id: int):
    """Deactivate the account (reason required); its sessions end everywhere. Admins only (403
    for other roles); 404 for an unknown user; a missing reason 400; yourself, the last admin or
    an account already inactive 409; nothing changed."""
    return _status_action(user_id, user_admin.deactivate_user, active=True,
                          done=_("Akun dinonaktifkan. Pengguna sudah dikeluarkan dari semua perangkat."))


@bp.post("/pengguna/<int:user_id>/aktifkan")
@admin_required
def user_reactivate(user_id: int):
    """Reactivate the account. Admins only (403 for other roles); 404 for an unknown user; an
    account already active 409, nothing changed."""
    return _status_action(user_id, user_admin.reactivate_user, active=False,
                          done=_("Akun aktif kembali. Pengguna dapat masuk lagi."))


def _status_action(user_id: int, action, *, active: bool, done: str):
    form = ReasonForm()
    ok, _user, status = attempt(form, lambda: action(user_id, current_user.id, form.reason.data))
    if ok:
        flash(done, "success")
        return redirect(url_for("admin.user_detail", user_id=user_id))
    return _render_detail(user_id, state_form=status_form(active, form)), status


@bp.post("/pengguna/<int:user_id>/reset-kata-sandi")
@admin_required
def user_send_reset(user_id: int):
    """Email the user a password-reset link (the admin never sees it). Admins only (403 for other
    roles); 404 for an unknown user; an inactive account 409. A mail server that refuses is
    reported on the page after the redirect."""
    form = ResetLinkForm()
    if not form.validate_on_submit():
        return _render_detail(user_id, reset_errors=form.non_field_errors or [_("Muat ulang halaman lalu coba lagi.")]), 400
    try:
        sent = user_admin.send_reset_link(
            user_id, current_user.id, lambda token: url_for("auth.reset_password", token=token, _external=True))
    except NotFound:
        abort(404)
    except DomainError as error:
        return _render_detail(user_id, reset_errors=[error.message]), status_of(error)
    if not sent.delivered:
        flash(_("Email ke %(email)s gagal dikirim. Coba lagi beberapa saat lagi.", email=sent.user.email), "error")
    elif sent.logged_only:
        flash(_("Server email belum diatur: email tautan untuk %(email)s dicatat di log server, tidak dikirim.",
                email=sent.user.email), "warning")
    else:
        flash(_("Tautan atur ulang kata sandi sudah dikirim ke %(email)s.", email=sent.user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/pengguna/<int:user_id>/peran")
@admin_required
def user_role(user_id: int):
    """Change the account's role (reason required). Admins only (403 for other roles); 404 for
    an unknown user; an unknown role or missing reason 400; yourself, the last admin, a seller
    whose shop has products or orders, or the same role 409; nothing changed."""
    form = RoleForm()
    done, change, status = attempt(form, lambda: user_admin.change_role(
        user_id, current_user.id, form.role.data, form.reason.data))
    if done:
        message = _("Peran %(name)s diubah dari %(before)s menjadi %(after)s.", name=change.user.name,
                    before=user_admin.role_name(change.before), after=user_admin.role_name(change.user.role))
        if change.membership_revoked:
            message += " " + _("Keanggotaannya di instansi dicabut.")
        flash(message, "success")
        return redirect(url_for("admin.user_detail", user_id=user_id))
    return _render_detail(user_id, role_form=form), status


def _render_detail(user_id: int, *, state_form=None, role_form=None, reset_errors=None):
    try:
        review = user_admin.user_review(user_id)
    except NotFound:
        abort(404)
    user = review.user
    if role_form is None:
        role_form = RoleForm(formdata=None)
        role_form.role.data = user.role
    return render_template(
        "admin/user_detail.html", review=review, user=user, is_self=user.id == current_user.id,
        status_form=state_form or status_form(user.active), role_form=role_form,
        reset_form=ResetLinkForm(formdata=None), reset_errors=reset_errors or [],
        role_name=user_admin.role_name, duty_name=duty_name,
    )
