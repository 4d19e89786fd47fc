"""The cart (/keranjang): add from the product page, change quantities, remove lines, accept new
prices; and the header's cart count.

Anyone may have a cart. A logged-in user's is kept on the account; a guest's is found by a
random token in the session cookie, which the log-in view merges into the user's cart.
Session keys set here: "cart_token" (the guest cart's token; read and removed by
auth.views.login). Every POST goes through the global CSRF check (a bad token answers 400).
A line id that is not in the visitor's own cart changes nothing and says so.
"""

from flask import flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from catalog.authz import is_safe_next, public
from catalog.extensions import db
from catalog.models import Cart, CartItem, ProductVariant
from catalog.services import cart as carts
from catalog.services.errors import DomainError
from catalog.web.shop import bp
from catalog.web.shop.forms import AddToCartForm, QuantityForm

GUEST_CART_KEY = "cart_token"  # auth.views.login reads this key too


def current_cart() -> Cart | None:
    """The visitor's cart (the user's, or the guest's from the session), None when there is none.

    A user who still carries a guest cart (logged in without /masuk: registered, or signed up as
    a seller) gets it merged here; /masuk merges it at once."""
    if current_user.is_authenticated:
        if session.get(GUEST_CART_KEY):
            carts.merge_guest_cart(session.pop(GUEST_CART_KEY), current_user.id)
        return carts.cart_for(user_id=current_user.id)
    return carts.cart_for(token=session.get(GUEST_CART_KEY))


def _owner() -> dict:
    """The add_item() arguments that name the visitor's cart; a guest gets a token now."""
    if current_user.is_authenticated:
        return {"user_id": current_user.id, "token": None}
    token = session.get(GUEST_CART_KEY)
    if not token:
        token = session[GUEST_CART_KEY] = carts.new_token()
    return {"user_id": None, "token": token}


# --- the header's count -----------------------------------------------------------------------------

@bp.app_context_processor
def inject_cart_count() -> dict:
    """A function, not a number: the one query runs only when the header asks, once per request,
    and never for a guest who has no cart."""
    return {"cart_count": _cart_count}


def _cart_count() -> int:
    if "cart_count" not in g:
        g.cart_count = _units_in_cart()
    return g.cart_count


def _units_in_cart() -> int:
    token = session.get(GUEST_CART_KEY)
    guest = (Cart.token == token) & Cart.user_id.is_(None) if token else None
    if current_user.is_authenticated:
        # A guest cart not merged yet (see current_cart) counts too: it is about to be.
        owner = Cart.user_id == current_user.id if guest is None else (Cart.user_id == current_user.id) | guest
    elif guest is not None:
        owner = guest
    else:
        return 0
    return db.session.scalar(
        select(func.coalesce(func.sum(CartItem.quantity), 0)).join(Cart, CartItem.cart_id == Cart.id).where(owner)
    ) or 0


# --- pages ------------------------------------------------------------------------------------------

@bp.get("/keranjang")
@public
def cart():
    """The cart grouped by seller with what changed since each line was added. Anyone (a guest
    sees the cart of the session). Never 403/404."""
    review = carts.review(current_cart())
    return render_template("shop/cart.html", review=review)


def _product_url(variant_id: int | None, fallback: str | None = None) -> str:
    """Back to the product page the form came from (its combination chosen), else the cart."""
    if fallback and is_safe_next(fallback):
        return fallback
    variant = db.session.get(ProductVariant, variant_id) if variant_id else None
    if variant is None:
        return url_for("shop.cart")
    return url_for("public.product", slug=variant.product.slug, varian=None if variant.is_default else variant.id)


def _first_error(form) -> str:
    return next((str(message) for field in form for message in field.errors),
                _("Formulir tidak lengkap. Coba lagi."))


@bp.post("/keranjang/tambah")
@public
def add():
    """Put a combination in the cart (variant_id, quantity; added to what is there) and go back
    to the product page with a message. Anyone; a refusal (sold out, below the minimum order,
    no longer sold, not a number) is flashed and nothing changes. Never 403/404."""
    form = AddToCartForm()
    back = form.next.data if is_safe_next(form.next.data) else None
    if not form.validate():
        flash(_first_error(form), "error")
        return redirect(_product_url(form.variant, back))
    if form.variant is None:
        flash(_("Produk tidak ditemukan."), "error")
        return redirect(back or url_for("shop.cart"))
    # Worked out before adding: add_item's commit would expire the variant and its product and
    # cost two more statements to read the product's address again. The variant stays referenced
    # here, so add_item finds it (and its product) in the session instead of reading it again.
    variant = db.session.get(ProductVariant, form.variant)  # noqa: F841 (kept alive on purpose)
    target = _product_url(form.variant, back)
    try:
        carts.add_item(**_owner(), variant_id=form.variant, quantity=form.quantity.data)
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(Markup('{} <a href="{}">{}</a>').format(
            _("Ditambahkan ke keranjang."), url_for("shop.cart"), _("Lihat keranjang")), "success")
    return redirect(target)


def _back_to_cart(change, done) -> object:
    """Run one cart change; flash `done` or the refusal, and show the cart again."""
    try:
        change()
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(done, "success")
    return redirect(url_for("shop.cart"))


@bp.post("/keranjang/<int:item_id>")
@public
def change(item_id: int):
    """Change a line's quantity. Anyone, only lines of their own cart: another cart's line
    changes nothing and gets a message."""
    form = QuantityForm()
    if not form.validate():
        flash(_first_error(form), "error")
        return redirect(url_for("shop.cart"))
    return _back_to_cart(lambda: carts.set_quantity(current_cart(), item_id, form.quantity.data),
                         _("Jumlah diperbarui."))


@bp.post("/keranjang/<int:item_id>/hapus")
@public
def remove(item_id: int):
    """Take a line out of the cart. Anyone, only lines of their own cart."""
    return _back_to_cart(lambda: carts.remove_item(current_cart(), item_id), _("Barang dikeluarkan dari keranjang."))


@bp.post("/keranjang/harga-baru")
@public
def accept_prices():
    """"OK, saya mengerti": the visitor has seen the changed prices; stop pointing them out."""
    cart = current_cart()
    if cart is not None:
        carts.accept_prices(cart)
    return redirect(url_for("shop.cart"))
