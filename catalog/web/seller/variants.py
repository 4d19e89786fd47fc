"""Seller views: a listing's variants (/penjual/produk/<id>/varian) — its option types and
values, the grid of combinations (price, stock, SKU, weight, photo), "set all prices/stocks",
and switching one combination off or on. Every change goes through services/variants.py.

Every view is for a logged-in seller with a seller profile (`seller_profile_required`: anonymous
→ log-in page, other roles → 403, a seller without a profile → the registration wizard). The
product is fetched through `seller_product_or_404`, so another seller's product id answers 404
for GET and POST alike. POSTs go through the global CSRF check (a bad token answers 400). A
refused change re-renders the page with the messages beside the fields and writes nothing.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import seller_product_or_404, seller_profile_required
from catalog.formatting import angka, rupiah
from catalog.models.products import Product
from catalog.services import variants
from catalog.services.errors import DomainError, NotFound
from catalog.web.seller import bp
from catalog.web.seller.forms_listings import ActionForm
from catalog.web.seller.forms_variants import OPTION_EXAMPLES, BulkForm, OptionsForm, VariantGridForm


def _product(product_id: int) -> Product:
    """The seller's own product with its options, values, variants and photos loaded."""
    return variants.load(seller_product_or_404(product_id).id)


def _page_url(product: Product, anchor: str | None = None) -> str:
    return url_for("seller.listing_variants", product_id=product.id, _anchor=anchor)


def _page(product: Product, *, options_form=None, grid_form=None, bulk_form=None):
    """The Varian page; a form given here (one just refused) is shown as submitted, the others
    as the product is now."""
    has_options = variants.has_options(product)
    options_form = options_form or OptionsForm.for_product(product)
    if has_options:
        grid_form = grid_form or VariantGridForm.for_product(product)
        grid_form.set_image_choices(product)
        bulk_form = bulk_form or BulkForm(formdata=None)
    by_id = {v.id: v for v in product.variants}
    # Each grid row beside its combination; a row whose id matches none (a form edited by hand,
    # or a combination removed meanwhile) is not shown: the message at the top says to reload.
    rows = [(entry, by_id[grid_form.variant_id_of(entry)]) for entry in grid_form.rows
            if grid_form.variant_id_of(entry) in by_id] if has_options else []
    problems = [(variant, [m for errors in entry.form.errors.values() for m in errors])
                for entry, variant in rows if entry.form.errors]
    return render_template(
        "seller/listings/variants.html", product=product, has_options=has_options,
        options_form=options_form, grid_form=grid_form, bulk_form=bulk_form, rows=rows, problems=problems,
        inactive=sum(1 for v in product.variants if not v.active),
        max_combinations=variants.MAX_COMBINATIONS, option_examples=OPTION_EXAMPLES,
    )


@bp.get("/produk/<int:product_id>/varian", endpoint="listing_variants")
@seller_profile_required
def listing_variants(product_id: int):
    """A listing's options and, when it has some, the grid of its combinations. Sellers with a
    profile; others 403; another seller's or an unknown product 404."""
    return _page(_product(product_id))


@bp.post("/produk/<int:product_id>/varian/opsi", endpoint="listing_variant_options")
@seller_profile_required
def listing_variant_options(product_id: int):
    """Save the option types and values and regenerate the combinations, or (all rows empty or
    the remove button, with "Ya, hapus semua opsi" ticked) remove every option. Sellers with a
    profile; others 403; another seller's product 404."""
    product = _product(product_id)
    form = OptionsForm()
    if not form.validate_on_submit():
        return _page(product, options_form=form)
    filled = form.filled_rows()
    had_options = variants.has_options(product)
    removing = had_options and (form.action.data == "remove" or not filled)
    if removing and not form.remove_all.data:
        form.remove_all.errors = [_("Centang “Ya, hapus semua opsi” bila produk ini memang tidak punya "
                                    "varian lagi. Stok semua kombinasi aktif akan digabung.")]
        return _page(product, options_form=form)
    if not removing and not filled:
        form.form_errors.append(_("Isi nama opsi dan nilainya, misalnya Ukuran: S, M, L."))
        return _page(product, options_form=form)

    # Compared by label, not id: a database may give a new row the id of one just deleted.
    old_stock, old_labels = product.stock, {v.label.casefold() for v in product.variants}
    try:
        variants.set_options(product, [] if removing else [spec for _i, spec in filled], actor_id=current_user.id)
    except variants.VariantsInvalid as error:
        form.add_service_errors(error.errors, [index for index, _spec in filled])
        return _page(product, options_form=form)
    except DomainError as error:
        form.form_errors.append(error.message)
        return _page(product, options_form=form)

    if removing:
        flash(_("Semua opsi dihapus. Produk ini kembali tanpa varian: harga %(price)s, stok %(stock)s "
                "(gabungan kombinasi yang aktif).", price=rupiah(product.price), stock=angka(product.stock)),
              "success")
        return redirect(url_for("seller.listing_edit", product_id=product.id))
    count = len(product.variants)
    new_labels = {v.label.casefold() for v in product.variants}
    added = len(new_labels - old_labels)
    removed = len(old_labels - new_labels) if had_options else 0
    flash(_("Opsi tersimpan. Sekarang ada %(n)s kombinasi.", n=angka(count)), "success")
    if not had_options and old_stock and not product.made_to_order:
        flash(_("Stok sebelumnya (%(stock)s) sekarang diisi per kombinasi. Isi stok setiap kombinasi di "
                "bawah, lalu tekan “Simpan kombinasi”.", stock=angka(old_stock)), "warning")
    elif had_options and added:
        flash(_("%(n)s kombinasi baru mulai dengan stok 0. Periksa harga dan isi stoknya di bawah.",
                n=angka(added)), "info")
    if removed:
        flash(_("%(n)s kombinasi yang tidak ada lagi dihapus beserta stoknya.", n=angka(removed)), "info")
    # No anchor: the messages are at the top, and the grid follows right below them.
    return redirect(_page_url(product))


@bp.post("/produk/<int:product_id>/varian/kombinasi", endpoint="listing_variants_save")
@seller_profile_required
def listing_variants_save(product_id: int):
    """Save the grid: price, stock, SKU, weight and photo of each combination, all or nothing.
    Sellers with a profile; others 403; another seller's product 404."""
    product = _product(product_id)
    if not variants.has_options(product):
        flash(_("Produk ini belum punya opsi. Tambahkan opsi dulu, misalnya Ukuran atau Warna."), "warning")
        return redirect(_page_url(product))
    form = VariantGridForm()
    active = {v.id: v.active for v in product.variants}
    rows = form.to_rows(lambda variant_id: active.get(variant_id, True))
    if not form.validate_on_submit():
        # What could not be read is shown with the rules' messages for the rest, all at once.
        form.add_service_errors(variants.validate_rows(product, rows), keep_existing=True)
        return _page(product, grid_form=form)
    try:
        variants.update_variants(product, rows, actor_id=current_user.id)
    except variants.VariantsInvalid as error:
        form.add_service_errors(error.errors)
        return _page(product, grid_form=form)
    except DomainError as error:
        form.form_errors.append(error.message)
        return _page(product, grid_form=form)
    flash(_("Kombinasi tersimpan: harga %(range)s, stok %(stock)s.", range=_price_range(product),
            stock=angka(product.stock)), "success")
    return redirect(_page_url(product))


def _price_range(product: Product) -> str:
    if product.has_price_range:
        return f"{rupiah(product.price)} – {rupiah(product.price_max)}"
    return rupiah(product.price)


@bp.post("/produk/<int:product_id>/varian/semua", endpoint="listing_variants_bulk")
@seller_profile_required
def listing_variants_bulk(product_id: int):
    """"Atur semua harga/stok": one price and/or one stock for every active combination.
    Sellers with a profile; others 403; another seller's product 404."""
    product = _product(product_id)
    if not variants.has_options(product):
        return redirect(_page_url(product))
    form = BulkForm()
    if not form.validate_on_submit():
        return _page(product, bulk_form=form)
    price, stock = form.bulk_price.data, form.bulk_stock.data
    try:
        variants.bulk_set(product, price=price, stock=stock, actor_id=current_user.id)
    except variants.VariantsInvalid as error:
        form.add_service_errors(error.errors)
        return _page(product, bulk_form=form)
    except DomainError as error:
        form.form_errors.append(error.message)
        return _page(product, bulk_form=form)
    if price is not None:
        flash(_("Harga semua kombinasi aktif sekarang %(price)s.", price=rupiah(price)), "success")
    if stock is not None:
        flash(_("Stok setiap kombinasi aktif sekarang %(stock)s.", stock=angka(stock)), "success")
    return redirect(_page_url(product))


@bp.post("/produk/<int:product_id>/varian/<int:variant_id>/aktif", endpoint="listing_variant_active")
@seller_profile_required
def listing_variant_active(product_id: int, variant_id: int):
    """Switch one combination off (active=0: no longer offered, its stock stays) or on again
    (active=1). The last active one cannot be switched off. Sellers with a profile; others 403;
    another seller's product 404; a combination that is not this product's: a message."""
    product = _product(product_id)
    if ActionForm().validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            variant = variants.set_variant_active(product, variant_id, active, actor_id=current_user.id)
        except NotFound:
            flash(_("Kombinasi tidak ditemukan. Muat ulang halaman lalu coba lagi."), "danger")
            return redirect(_page_url(product))
        except DomainError as error:
            flash(str(error.message), "danger")
            return redirect(_page_url(product))  # at the top, where the message is
        if active:
            flash(_("Kombinasi “%(label)s” aktif lagi dan ditawarkan ke pembeli.", label=variant.label), "success")
        else:
            flash(_("Kombinasi “%(label)s” dinonaktifkan: tidak ditawarkan ke pembeli, stoknya tetap tersimpan.",
                    label=variant.label), "success")
    # Back to the row, which now shows its new state.
    return redirect(_page_url(product, f"varian-{variant_id}"))
