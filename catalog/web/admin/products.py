"""Admin: listing moderation (hide with a reason, restore)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import admin_required
from catalog.services import moderation
from catalog.services.errors import NotFound
from catalog.web.admin import bp
from catalog.web.admin.catalogue_forms import HideForm, RestoreForm, submit


@bp.get("/produk")
@admin_required
def products():
    """Every seller's listings, searched by title or seller name (?q=), filtered by status
    (?status=aktif|draf|arsip|disembunyikan), in pages (?hal=). Admins only (403 for other
    roles); unknown parameters fall back to the defaults, never 404."""
    found = moderation.search_listings(request.args.get("q"), request.args.get("status"), request.args.get("hal"))
    params = {k: v for k, v in (("q", found.query), ("status", found.status_key)) if v}
    return render_template("admin/product_list.html", found=found, params=params,
                           statuses=list(moderation.STATUS_FILTERS))


def _detail_page(product_id: int, hide_form=None, restore_form=None, status: int = 200):
    try:
        review = moderation.product_review(product_id)
    except NotFound:
        abort(404)
    return render_template(
        "admin/product_detail.html", review=review, product=review.product,
        moderator=moderation.moderator_name(review.product),
        hide_form=hide_form or HideForm(formdata=None), restore_form=restore_form or RestoreForm(formdata=None),
    ), status


@bp.get("/produk/<int:product_id>")
@admin_required
def product_detail(product_id: int):
    """One listing with its seller, status, moderation reason and history, and the form to hide
    or restore it. Admins only (403 for other roles); 404 for an unknown product."""
    return _detail_page(product_id)


def _decide(product_id: int, form, decide, done_message):
    """Run one moderation decision from `form`; the page again with the message on refusal
    (400 for the reason, 409 for a status that does not allow it)."""
    def decided(product):
        flash(done_message(product), "success")
        return redirect(url_for("admin.product_detail", product_id=product_id))

    done, status = submit(form, lambda: decide(product_id, current_user.id, form.reason.data), decided)
    if done is not None:
        return done
    forms = {"hide_form": form} if isinstance(form, HideForm) else {"restore_form": form}
    return _detail_page(product_id, status=status, **forms)


@bp.post("/produk/<int:product_id>/sembunyikan")
@admin_required
def product_hide(product_id: int):
    """Hide a listing from the site with a reason the seller sees (field `reason`, required).
    Admins only (403 for other roles); 404 for an unknown product. Without a reason, or for a
    product already hidden, the page shows again with the message (400 or 409), nothing changed."""
    return _decide(product_id, HideForm(), moderation.hide_product,
                   lambda p: _("“%(title)s” disembunyikan. Penjual sudah diberi tahu alasannya.", title=p.title))


@bp.post("/produk/<int:product_id>/tampilkan")
@admin_required
def product_restore(product_id: int):
    """Lift the hiding: the listing returns to the status it had (field `reason`: an optional
    note). Admins only (403 for other roles); 404 for an unknown product. For a product that is
    not hidden the page shows again with the message, status 409, nothing changed."""
    return _decide(product_id, RestoreForm(), moderation.restore_product,
                   lambda p: _("“%(title)s” ditampilkan kembali. Penjual sudah diberi tahu.", title=p.title))
