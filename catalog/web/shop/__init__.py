"""Buying (no prefix): the cart (/keranjang), the address book (/akun/alamat), checkout
(/checkout) and the return from Stripe's payment page. One module per area."""

from flask import Blueprint

bp = Blueprint("shop", __name__)

from catalog.web.shop import addresses, cart, checkout, stripe_return  # noqa: E402,F401
