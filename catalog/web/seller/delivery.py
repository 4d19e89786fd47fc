"""Seller views: the seller's delivery options (/penjual/pengiriman) — list, add, edit, switch
on or off, delete.

Every view is for a logged-in seller with a seller profile (`seller_profile_required`: anonymous
→ log-in page, other roles → 403, a seller without a profile → the registration wizard). Every
option is fetched through `delivery.seller_option`, so another seller's option id answers 404
for GET and POST alike. POSTs go through the global CSRF check (a bad token answers 400).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalog.authz import current_seller, seller_profile_required
from catalog.formatting import angka
from catalog.services import delivery, regions
from catalog.services.errors import NotFound
from catalog.web.seller import bp
from catalog.web.seller.forms_orders import KIND_LABELS, DeliveryOptionForm


def _option_or_404(option_id: int):
    try:
        return delivery.seller_option(current_seller(), option_id)
    except NotFound:
        abort(404)


def _form(option=None) -> DeliveryOptionForm:
    if request.method == "POST":
        form = DeliveryOptionForm()
    elif option is None:
        form = DeliveryOptionForm(formdata=None, data={"kind": request.args.get("jenis", "courier"), "active": True})
    else:
        data = delivery.option_input_from(option)
        form = DeliveryOptionForm(formdata=None, data={**data.__dict__, "fee": angka(option.fee),
                                                       "eta_days": "" if option.eta_days is None else str(option.eta_days)})
    form.set_kota_choices(regions.kota_choices())
    return form


def _page(form, option=None, status=200):
    seller = current_seller()
    options = delivery.seller_options(seller)
    kecamatan = regions.get(seller.kecamatan_code)
    return render_template(
        "seller/delivery/index.html", seller=seller, options=options, form=form, editing=option,
        kind_labels=KIND_LABELS, kota_names=dict(regions.kota_choices()),
        gaps=delivery.kota_without_delivery(seller, options),
        seller_kecamatan=kecamatan.name if kecamatan else "",
    ), status


@bp.route("/pengiriman", methods=["GET", "POST"], endpoint="delivery")
@seller_profile_required
def delivery_index():
    """The seller's delivery options and the form to add one (POST adds). Sellers with a
    profile; others 403. A refused option comes back with the messages beside its fields (422)."""
    form = _form()
    if request.method == "POST" and form.validate_on_submit():
        try:
            option = delivery.add_option(current_seller(), form.to_input())
        except delivery.OptionInvalid as error:
            form.add_errors(error.errors)
            return _page(form, status=422)
        flash(_("Opsi “%(name)s” ditambahkan.", name=option.name), "success")
        return redirect(url_for("seller.delivery"))
    return _page(form, status=422 if request.method == "POST" else 200)


@bp.route("/pengiriman/<int:option_id>", methods=["GET", "POST"], endpoint="delivery_edit")
@seller_profile_required
def delivery_edit(option_id: int):
    """Edit one of the seller's options (orders already placed keep what they copied). Sellers
    with a profile; others 403; another seller's or an unknown option 404."""
    option = _option_or_404(option_id)
    form = _form(option)
    if request.method == "POST" and form.validate_on_submit():
        try:
            delivery.update_option(current_seller(), option, form.to_input())
        except delivery.OptionInvalid as error:
            form.add_errors(error.errors)
            return _page(form, option, status=422)
        flash(_("Perubahan tersimpan."), "success")
        return redirect(url_for("seller.delivery"))
    return _page(form, option, status=422 if request.method == "POST" else 200)


@bp.post("/pengiriman/<int:option_id>/aktif", endpoint="delivery_toggle")
@seller_profile_required
def delivery_toggle(option_id: int):
    """Switch an option on (?aktif=1 in the form) or off at checkout. Sellers with a profile;
    others 403; another seller's option 404."""
    option = _option_or_404(option_id)
    active = request.form.get("aktif") == "1"
    delivery.set_active(current_seller(), option, active)
    if active:
        flash(_("“%(name)s” ditawarkan lagi saat checkout.", name=option.name), "success")
    else:
        flash(_("“%(name)s” tidak ditawarkan saat checkout.", name=option.name), "success")
    return redirect(url_for("seller.delivery"))


@bp.post("/pengiriman/<int:option_id>/hapus", endpoint="delivery_delete")
@seller_profile_required
def delivery_delete(option_id: int):
    """Delete an option; orders that used it keep its name and fee. Sellers with a profile;
    others 403; another seller's option 404."""
    option = _option_or_404(option_id)
    name = option.name
    delivery.delete_option(current_seller(), option)
    flash(_("“%(name)s” dihapus.", name=name), "success")
    return redirect(url_for("seller.delivery"))
