"""Seller views: "Saldo & Pembayaran" (/penjual/saldo) — the balance, movements, when each order's
money becomes available, government invoices — and the payout bank account.

Every view is for a logged-in seller with a profile (`seller_profile_required`: anonymous → log-in,
other roles → 403, no profile yet → the registration wizard) and reads only the logged-in seller's
own money through services/seller_money.py; there is no parameter naming a seller, and another
seller's order number answers 404. The account form goes through the global CSRF check.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import current_seller, seller_profile_required
from catalog.services import payout_account, seller_money
from catalog.services.catalogue import page_number
from catalog.services.errors import DomainError
from catalog.web.seller import bp
from catalog.web.seller.forms_money import PayoutAccountForm


def _render(template: str, seller, status: int = 200, **context):
    return render_template(template, seller=seller, summary=seller_money.summary(seller),
                           account=payout_account.current(seller), mask=payout_account.mask,
                           kind_label=seller_money.kind_label, **context), status


@bp.get("/saldo", endpoint="money")
@seller_profile_required
def money():
    """Saldo & Pembayaran, "Mutasi" tab: the three figures, the fee that applies and every ledger
    movement newest first (?hal= pages of 30). Sellers with a profile; others 403."""
    seller = current_seller()
    page = seller_money.movements(seller, page=page_number(request.args.get("hal")))
    return _render("seller/money.html", seller, page=page, tab="mutasi")


@bp.get("/saldo/pesanan", endpoint="money_orders")
@seller_profile_required
def money_orders():
    """"Pesanan" tab: paid orders with when their money becomes available and which payout took
    it (?hal= pages of 30). Sellers with a profile; others 403."""
    seller = current_seller()
    page = seller_money.order_money(seller, page=page_number(request.args.get("hal")))
    return _render("seller/money_orders.html", seller, page=page, tab="pesanan")


@bp.get("/saldo/pesanan/<number>", endpoint="money_order")
@seller_profile_required
def money_order(number: str):
    """One paid order's money: amount, fee, when available, which payout. The seller's own orders
    only: another seller's (or an unknown or unpaid) order answers 404."""
    seller = current_seller()
    item = seller_money.one_order_money(seller, number)
    if item is None:
        abort(404)
    return _render("seller/money_order.html", seller, item=item, tab="pesanan")


@bp.get("/saldo/tagihan", endpoint="money_invoices")
@seller_profile_required
def money_invoices():
    """"Tagihan pemerintah" tab: the seller's government invoices with due date, paid (with the
    Bendahara's reference) or days late (?hal= pages of 30). Sellers with a profile; others 403."""
    seller = current_seller()
    page = seller_money.invoices(seller, page=page_number(request.args.get("hal")))
    return _render("seller/money_invoices.html", seller, page=page, tab="tagihan")


@bp.route("/saldo/rekening", methods=["GET", "POST"], endpoint="money_account")
@seller_profile_required
def money_account():
    """Set or change the payout bank account. A change is held 24 hours and announced by email.
    Bad input re-renders with the message (400) and changes nothing; a missing CSRF token is
    refused (400) by the global check. Sellers with a profile; others 403."""
    seller = current_seller()
    form = PayoutAccountForm().for_seller(seller, fill=request.method == "GET")
    if form.validate_on_submit():
        try:
            changed = payout_account.set_account(seller, bank=form.bank.data, number=form.account_number.data,
                                                 holder=form.account_name.data, actor_id=current_user.id)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if changed:
                flash(_("Rekening pencairan diubah. Pencairan ke rekening baru mulai 24 jam lagi; kami mengirim "
                        "email pemberitahuan ke %(email)s.", email=current_user.email), "success")
            else:
                flash(_("Rekening pencairan tersimpan."), "success")
            return redirect(url_for("seller.money"))
    return _render("seller/money_account.html", seller, 400 if request.method == "POST" else 200, form=form,
                   tab="rekening")
