"""The address book (/akun/alamat): list, add, edit, delete, choose the default.

Logged-in users only (anonymous visitors get the log-in page). Every address is fetched through
the user's own book (checkout.own_address), so another user's address id answers 404 for GET and
POST alike. POSTs go through the global CSRF check. Without JavaScript the kota → kecamatan →
kelurahan lists are filled by posting the form back ("Pilih kecamatan"); region-select.js fills
them from /api/wilayah instead.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import is_safe_next, login_required
from catalog.services import addresses, checkout
from catalog.services.errors import DomainError, NotFound
from catalog.web.seller.forms_onboarding import ACTION_PICK_KECAMATAN, ACTION_PICK_KOTA
from catalog.web.shop import bp
from catalog.web.shop.forms import AddressForm


def _own_or_404(address_id: int):
    try:
        return checkout.own_address(current_user, address_id)
    except NotFound:
        abort(404)


def _next_target(form: AddressForm) -> str:
    return form.next.data if is_safe_next(form.next.data) else ""


def _after_save(form: AddressForm, address) -> str:
    """Back where the form was opened from; checkout gets the address just saved chosen."""
    target = _next_target(form)
    if target.split("?")[0] == url_for("shop.checkout"):
        return url_for("shop.checkout", alamat=address.id)
    return target or url_for("shop.addresses")


@bp.get("/akun/alamat", endpoint="addresses")
@login_required
def addresses_index():
    """The user's own addresses, the default first. Logged-in users; never 403/404."""
    return render_template("shop/addresses.html", addresses=addresses.book(current_user.id))


def _address_page(form: AddressForm, address=None):
    """GET shows the form; POST either refreshes the region lists or saves."""
    if request.method == "GET":
        if address is not None:
            form.fill_from(address)
        form.next.data = form.next.data or request.args.get("next", "")
    refresh = request.form.get("pilih") in (ACTION_PICK_KOTA, ACTION_PICK_KECAMATAN)
    form.load_region_choices()
    if request.method == "POST" and not refresh and form.validate():
        try:
            if address is None:
                address = addresses.create(current_user, form.address_data(), make_default=form.is_default.data)
            else:
                address = addresses.update(address, form.address_data(), make_default=form.is_default.data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Alamat tersimpan."), "success")
            return redirect(_after_save(form, address))
    return render_template("shop/address_form.html", form=form, address=address, back=_next_target(form))


@bp.route("/akun/alamat/baru", methods=["GET", "POST"])
@login_required
def address_new():
    """Add an address (?next= a same-site page to return to, e.g. /checkout). Logged-in users."""
    return _address_page(AddressForm())


@bp.route("/akun/alamat/<int:address_id>", methods=["GET", "POST"])
@login_required
def address_edit(address_id: int):
    """Edit one of the user's own addresses; another user's: 404."""
    return _address_page(AddressForm(), _own_or_404(address_id))


@bp.post("/akun/alamat/<int:address_id>/hapus")
@login_required
def address_delete(address_id: int):
    """Delete one of the user's own addresses (orders keep their copy); another user's: 404."""
    addresses.delete(_own_or_404(address_id))
    flash(_("Alamat dihapus."), "success")
    return redirect(url_for("shop.addresses"))


@bp.post("/akun/alamat/<int:address_id>/utama")
@login_required
def address_default(address_id: int):
    """Make one of the user's own addresses the default; another user's: 404."""
    addresses.set_default(_own_or_404(address_id))
    flash(_("Alamat utama diganti."), "success")
    return redirect(url_for("shop.addresses"))
