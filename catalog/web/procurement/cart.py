"""The officer's procurement cart (/pengadaan/keranjang): add from the product page, change
quantities, remove lines, and turn the cart into a purchase request.

For a confirmed Pejabat Pengadaan or PPK (`agency_officer_required`): anonymous → log-in page,
other roles, a Bendahara and officers the Dinas has not confirmed → 403. A line id that is not
in the officer's own cart changes nothing and says so. POSTs go through the global CSRF check.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from catalog.authz import agency_officer_required, current_membership, is_safe_next
from catalog.extensions import db
from catalog.models.agencies import DUTY_PP, DUTY_PPK
from catalog.services import compliance, regions
from catalog.services.certificates import jakarta_today
from catalog.services.errors import DomainError
from catalog.services.procurement import cart as carts
from catalog.services.procurement import requests
from catalog.web.procurement import bp
from catalog.web.procurement.forms import (
    AddToCartForm,
    QuantityForm,
    RequestForm,
    attach_error,
    first_error,
    run_and_flash,
)

BUILDERS = (DUTY_PP, DUTY_PPK)


def kecamatan_choices() -> dict[str, list[tuple[str, str]]]:
    """Every kecamatan of Tangerang Raya, grouped by kota/kabupaten (an <optgroup> each)."""
    return {kota.name: [(kec.code, kec.name) for kec in regions.children(kota.code)] for kota in regions.children(None)}


def request_form(member, formdata=None) -> RequestForm:
    """The cart's "buat permintaan" form; on first show the delivery place is the agency's."""
    agency = member.agency
    if formdata is None:
        form = RequestForm(formdata=None, data={"delivery_address": agency.address,
                                                "delivery_kecamatan_code": agency.kecamatan_code or ""})
    else:
        form = RequestForm()
    form.set_choices(kecamatan_choices(), requests.confirmed_ppks(member.agency_id))
    return form


def _cart_page(form: RequestForm | None = None, status: int = 200):
    member = current_membership()
    view = carts.review(carts.cart_for(current_user))
    share = compliance.share_change(member.agency_id, jakarta_today().year, view.umkk_total) if view.groups else None
    return render_template("procurement/cart.html", view=view, share=share, member=member,
                           form=form or request_form(member), year=jakarta_today().year), status


@bp.get("/keranjang", endpoint="cart")
@agency_officer_required(*BUILDERS)
def cart_page():
    """The procurement cart grouped by seller (scale, UMK-K or not, TKDN), what can no longer be
    ordered, the totals, how the purchase moves the agency's UMK-K share, and the request form.
    Confirmed PP or PPK; others 403. Never 404."""
    return _cart_page()


def _back(default: str = "procurement.cart", target: str | None = None):
    return redirect(target if is_safe_next(target) else url_for(default))


@bp.post("/keranjang/tambah", endpoint="cart_add")
@agency_officer_required(*BUILDERS)
def cart_add():
    """Put a catalogue combination (variant_id, quantity) in the procurement cart and go back
    (?next= when it is a path of this site, else the cart). A refusal is flashed; nothing changes."""
    form = AddToCartForm()
    back = form.next.data
    if not form.validate():
        flash(first_error(form), "error")
        return _back(target=back)
    if form.variant is None:
        flash(_("Produk tidak ditemukan."), "error")
        return _back(target=back)
    run_and_flash(lambda: carts.add(current_user, form.variant, form.quantity.data),
                  Markup('{} <a href="{}">{}</a>').format(_("Ditambahkan ke keranjang pengadaan."),
                                                          url_for("procurement.cart"),
                                                          _("Lihat keranjang pengadaan")))
    return _back(target=back)


def _change(act, done: str):
    run_and_flash(act, done)
    return redirect(url_for("procurement.cart"))


@bp.post("/keranjang/<int:item_id>", endpoint="cart_change")
@agency_officer_required(*BUILDERS)
def cart_change(item_id: int):
    """A line's new quantity. Confirmed PP or PPK; only lines of their own cart."""
    form = QuantityForm()
    if not form.validate():
        flash(first_error(form), "error")
        return redirect(url_for("procurement.cart"))
    return _change(lambda: carts.set_quantity(current_user, item_id, form.quantity.data), _("Jumlah diperbarui."))


@bp.post("/keranjang/<int:item_id>/hapus", endpoint="cart_remove")
@agency_officer_required(*BUILDERS)
def cart_remove(item_id: int):
    """Take a line out. Confirmed PP or PPK; only lines of their own cart."""
    return _change(lambda: carts.remove(current_user, item_id), _("Barang dikeluarkan dari keranjang pengadaan."))


@bp.post("/keranjang/permintaan", endpoint="cart_to_request")
@agency_officer_required(*BUILDERS)
def cart_to_request():
    """The cart becomes a draft purchase request (the cart is emptied) and the officer lands on
    it to order directly or submit it to the PPK. A refusal (no title, a PPK of another agency,
    an empty cart) comes back beside the field with what was typed, and nothing changes."""
    member = current_membership()
    if member is None:  # pragma: no cover - the decorator let only confirmed officers through
        abort(403)
    form = request_form(member, formdata=True)
    if not form.validate():
        return _cart_page(form, 422)
    try:
        pr = requests.create_from_cart(current_user, **form.details())
    except DomainError as error:
        db.session.rollback()  # the request number taken for it is given back
        attach_error(form, error)
        return _cart_page(form, 422)
    flash(_("Permintaan %(number)s dibuat. Periksa lalu pesan langsung atau ajukan ke PPK.", number=pr.number),
          "success")
    return redirect(url_for("procurement.request_detail", request_id=pr.id))
