"""Seller views: the seller's own listings — list, create, edit, duplicate, archive/restore,
delete, quick stock change, photos.

Every view is for a logged-in seller with a seller profile (`seller_profile_required`: anonymous
→ log-in page, other roles → 403, a seller without a profile → the registration wizard). Every
product is fetched through `seller_product_or_404`, so another seller's product id answers 404
for GET and POST alike. POSTs go through the global CSRF check (a bad token answers 400).
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from catalog.authz import current_seller, is_safe_next, seller_product_or_404, seller_profile_required
from catalog.extensions import db
from catalog.formatting import angka
from catalog.models.products import PRODUCT_ACTIVE, PRODUCT_ARCHIVED, PRODUCT_DRAFT, PRODUCT_HIDDEN, ProductVariant
from catalog.services import inventory, listings
from catalog.services.catalogue import clean_query, page_number
from catalog.services.errors import DomainError, NotFound
from catalog.web.seller import bp
from catalog.web.seller.forms_listings import ActionForm, ListingForm, PhotoUploadForm, StockForm

PER_PAGE = 20
# ?status= values in the address bar (Indonesian) → stored statuses; "semua" shows every status.
STATUS_FILTERS = {"semua": None, "aktif": PRODUCT_ACTIVE, "draf": PRODUCT_DRAFT, "arsip": PRODUCT_ARCHIVED,
                  "disembunyikan": PRODUCT_HIDDEN}


def _back(default_endpoint: str = "seller.listings", **values) -> str:
    """Where an action returns to: the page it was sent from (?next= or a hidden field, same
    site only), else `default_endpoint`."""
    target = request.form.get("next") or request.args.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint, **values)


def _links() -> dict[str, str | None]:
    """Addresses of the seller pages beside this one that the templates link to; a page not
    (yet) registered is left out rather than breaking this one."""
    endpoints = {"dashboard": "seller.dashboard", "onboarding": "seller.onboarding_business",
                 "documents": "seller.documents", "import": "seller.listings_import",
                 "export": "seller.listings_export"}
    return {name: url_for(endpoint) if endpoint in current_app.view_functions else None
            for name, endpoint in endpoints.items()}


def _reason_labels() -> dict[str, str]:
    return {
        inventory.REASON_MANUAL: _("Diubah penjual"),
        inventory.REASON_IMPORT: _("Impor CSV"),
        inventory.REASON_CREATED: _("Stok awal"),
        inventory.REASON_VARIANTS: _("Kombinasi diubah"),
        inventory.REASON_ORDER: _("Pesanan"),
        inventory.REASON_ORDER_CANCELLED: _("Pesanan dibatalkan"),
    }


def _flash_error(error: DomainError) -> None:
    flash(str(error.message), "danger")


@bp.get("/produk", endpoint="listings")
@seller_profile_required
def listings_index():
    """The seller's products with filters (?status=semua|aktif|draf|arsip|disembunyikan, ?q=) and
    pages (?hal=).
    Sellers with a profile; others 403 (anonymous: log-in page). Never 404."""
    seller = current_seller()
    status_key = request.args.get("status", "semua")
    status_key = status_key if status_key in STATUS_FILTERS else "semua"
    query = clean_query(request.args.get("q"))
    page = listings.seller_listings(seller, status=STATUS_FILTERS[status_key], query=query,
                                    page=page_number(request.args.get("hal")), per_page=PER_PAGE)
    params = {k: v for k, v in (("status", status_key if status_key != "semua" else None), ("q", query)) if v}
    return render_template(
        "seller/listings/index.html", seller=seller, page=page, status_key=status_key, query=query,
        params=params, links=_links(), combinations=_combination_counts(page.items),
        low_stock=lambda p: listings.is_low_stock(p, seller.low_stock_threshold),
    )


def _listing_form(seller, product=None) -> ListingForm:
    if request.method == "POST":
        form = ListingForm()
    elif product is None:
        form = ListingForm(formdata=None, data={"unit": "pcs", "min_order": 1, "stock": 0})
    else:
        data = listings.listing_data_from(product)
        form = ListingForm(formdata=None, data={**data.__dict__, "stock_seen": str(product.stock)})
    if product is not None and product.options:
        form.drop_variant_fields()
    form.set_choices(listings.leaf_category_groups(), listings.valid_certificates(seller))
    return form


def _form_page(form, seller, product=None, history=None):
    variant_count = inactive = 0
    if product is not None and product.options:
        variant_count = len(product.variants)
        inactive = sum(1 for v in product.variants if not v.active)
    return render_template(
        "seller/listings/form.html", form=form, seller=seller, product=product, history=history or [],
        links=_links(), reason_labels=_reason_labels(), variant_count=variant_count, inactive_variants=inactive,
    )


def _combination_counts(products) -> dict[int, int]:
    """How many combinations each product with options has ({} entry: none, a simple product),
    in one query for the whole page."""
    ids = [p.id for p in products]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ProductVariant.product_id, func.count())
        .where(ProductVariant.product_id.in_(ids), ProductVariant.combo_key != "")
        .group_by(ProductVariant.product_id)
    )
    return {product_id: count for product_id, count in rows}


@bp.route("/produk/baru", methods=["GET", "POST"])
@seller_profile_required
def listing_new():
    """A new listing; saved as draft or published by the button pressed. Sellers with a profile
    (a pending seller may prepare listings; they become public once verified); others 403."""
    seller = current_seller()
    form = _listing_form(seller)
    if form.validate_on_submit():
        try:
            product = listings.create_listing(seller, form.to_data(None), actor_id=current_user.id)
        except listings.ListingInvalid as error:
            form.add_errors(error.errors)
        else:
            flash(_("Produk “%(title)s” tersimpan. Sekarang tambahkan fotonya.", title=product.title), "success")
            return redirect(url_for("seller.listing_photos", product_id=product.id))
    elif request.method == "POST":
        _add_rule_errors(form, seller, None)
    return _form_page(form, seller)


def _add_rule_errors(form: ListingForm, seller, status: str | None, *, has_options: bool = False) -> None:
    """A form whose numbers could not be read also gets the listing rules' messages for its
    other fields, so the seller sees every problem at once instead of one round at a time."""
    form.add_errors(listings.validate_listing(seller, form.to_data(status), has_options=has_options),
                    keep_existing=True)


@bp.route("/produk/<int:product_id>", methods=["GET", "POST"])
@seller_profile_required
def listing_edit(product_id: int):
    """Edit one of the seller's listings, with its stock history. Sellers with a profile; other
    roles 403; another seller's or an unknown product 404."""
    product = seller_product_or_404(product_id)
    seller = current_seller()
    form = _listing_form(seller, product)
    if form.validate_on_submit():
        try:
            listings.update_listing(product, form.to_data(product.status), actor_id=current_user.id)
        except listings.ListingInvalid as error:
            form.add_errors(error.errors)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Perubahan tersimpan."), "success")
            return redirect(url_for("seller.listing_edit", product_id=product.id))
    elif request.method == "POST":
        # A hidden listing is checked with the status it returns to: "hidden" is no seller status.
        status = listings.kept_status(product) if product.is_hidden else product.status
        _add_rule_errors(form, seller, status, has_options=bool(product.options))
    return _form_page(form, seller, product, inventory.stock_history(product))


@bp.post("/produk/<int:product_id>/salin")
@seller_profile_required
def listing_duplicate(product_id: int):
    """Copy a listing as a draft and open the copy. Sellers with a profile; others 403; another
    seller's product 404. A listing hidden by the Dinas is not copied (message, back)."""
    product = seller_product_or_404(product_id)
    try:
        copy = listings.duplicate_listing(product, actor_id=current_user.id)
    except DomainError as error:
        _flash_error(error)
        return redirect(_back())
    flash(_("Salinan dibuat sebagai draf. Ubah nama dan detailnya, lalu terbitkan."), "success")
    return redirect(url_for("seller.listing_edit", product_id=copy.id))


@bp.post("/produk/<int:product_id>/arsipkan")
@seller_profile_required
def listing_archive(product_id: int):
    """Archive a listing (hidden from buyers, kept for history). Sellers with a profile; others
    403; another seller's product 404. A listing hidden by the Dinas keeps its status (message)."""
    product = seller_product_or_404(product_id)
    try:
        listings.archive_listing(product, actor_id=current_user.id)
    except DomainError as error:
        _flash_error(error)
        return redirect(_back())
    flash(_("“%(title)s” diarsipkan dan tidak tampil lagi untuk pembeli.", title=product.title), "success")
    return redirect(_back())


@bp.post("/produk/<int:product_id>/pulihkan")
@seller_profile_required
def listing_restore(product_id: int):
    """Bring an archived listing back as a draft. Sellers with a profile; others 403; another
    seller's product 404. A listing hidden by the Dinas keeps its status (message)."""
    product = seller_product_or_404(product_id)
    try:
        listings.restore_listing(product, actor_id=current_user.id)
    except DomainError as error:
        _flash_error(error)
        return redirect(_back())
    flash(_("“%(title)s” dipulihkan sebagai draf. Periksa harga dan stok, lalu terbitkan.", title=product.title),
          "success")
    return redirect(_back())


@bp.route("/produk/<int:product_id>/hapus", methods=["GET", "POST"])
@seller_profile_required
def listing_delete(product_id: int):
    """GET asks for confirmation; POST deletes a listing that was never ordered (one that was is
    refused with a hint to archive it). Sellers with a profile; others 403; another seller's
    product 404."""
    product = seller_product_or_404(product_id)
    form = ActionForm()
    can_delete = not listings.listing_has_orders(product)
    if request.method == "POST" and form.validate_on_submit():
        title = product.title
        try:
            listings.delete_listing(product, actor_id=current_user.id)
        except DomainError as error:
            _flash_error(error)
            return redirect(url_for("seller.listing_edit", product_id=product_id))
        flash(_("“%(title)s” sudah dihapus.", title=title), "success")
        return redirect(url_for("seller.listings"))
    return render_template("seller/listings/delete.html", product=product, form=form, can_delete=can_delete,
                           links=_links())


@bp.post("/produk/<int:product_id>/stok")
@seller_profile_required
def listing_stock(product_id: int):
    """Quick stock change from the listings page: the new count, logged as a manual change.
    Sellers with a profile; others 403; another seller's product 404."""
    product = seller_product_or_404(product_id)
    form = StockForm()
    if not form.validate_on_submit():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        flash(_("Stok “%(title)s” tidak diubah: %(problem)s", title=product.title, problem=" ".join(messages)),
              "danger")
        return redirect(_back())
    try:
        stock = listings.change_stock(product, form.stock.data, actor_id=current_user.id, note=form.note.data or "")
    except DomainError as error:
        _flash_error(error)
    else:
        flash(_("Stok “%(title)s” sekarang %(stock)s.", title=product.title, stock=angka(stock)),
              "success")
    return redirect(_back())


# --- photos -------------------------------------------------------------------------------------


def _photos_page(product, upload_form, problems=None, status=200):
    return render_template(
        "seller/listings/photos.html", product=product, upload_form=upload_form, action_form=ActionForm(), links=_links(),
        problems=problems or [], max_photos=listings.MAX_PHOTOS, photos_left=listings.photos_left(product),
    ), status


@bp.route("/produk/<int:product_id>/foto", methods=["GET", "POST"])
@seller_profile_required
def listing_photos(product_id: int):
    """The photos of a listing; POST uploads one or several (up to 8 in all). Sellers with a
    profile; others 403; another seller's product 404. A refused file is named in a message and
    nothing is added (status 400)."""
    product = seller_product_or_404(product_id)
    form = PhotoUploadForm()
    if request.method == "POST" and form.validate_on_submit():
        files = [f for f in request.files.getlist(form.photos.name) if f and f.filename]
        try:
            added = listings.add_photos(product, [(f.filename, f.stream) for f in files], actor_id=current_user.id)
        except listings.PhotosRejected as error:
            return _photos_page(product, form, error.messages, status=400)
        flash(_("%(count)s foto ditambahkan.", count=len(added)), "success")
        return redirect(url_for("seller.listing_photos", product_id=product.id))
    return _photos_page(product, form)


@bp.post("/produk/<int:product_id>/foto/urutan")
@seller_profile_required
def listing_photos_order(product_id: int):
    """Save the photo order from the number fields (pos-<image id> = 1, 2, …; 1 is the cover).
    Sellers with a profile; others 403; another seller's product 404."""
    product = seller_product_or_404(product_id)
    if ActionForm().validate_on_submit():
        positions = {}
        for image in product.images:
            raw = (request.form.get(f"pos-{image.id}") or "").strip()
            if raw.isascii() and raw.isdigit() and len(raw) < 6:
                positions[image.id] = int(raw)
        listings.reorder_photos(product, positions, actor_id=current_user.id)
        flash(_("Urutan foto tersimpan. Foto pertama menjadi sampul."), "success")
    return redirect(url_for("seller.listing_photos", product_id=product.id))


@bp.post("/produk/<int:product_id>/foto/<int:image_id>/hapus")
@seller_profile_required
def listing_photo_delete(product_id: int, image_id: int):
    """Remove one photo. Sellers with a profile; others 403; another seller's product, or a
    photo that is not this product's, 404."""
    product = seller_product_or_404(product_id)
    if ActionForm().validate_on_submit():
        try:
            listings.delete_photo(product, image_id, actor_id=current_user.id)
        except NotFound:
            abort(404)
        flash(_("Foto dihapus."), "success")
    return redirect(url_for("seller.listing_photos", product_id=product.id))
