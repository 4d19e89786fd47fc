"""The demo's payouts: a few sellers besides the demo seller get a completed order each (through
the cart, checkout and fulfilment services, so their balances are real), then the Dinas pays
them in two batches through services/payouts.py — one paid in full with the bank's reference,
one where a line failed ("Nomor rekening tidak ditemukan") so the reversal shows in the
seller's ledger. Runs once, on a fresh database, at the end of seed-demo."""

from sqlalchemy import select

from catalog.demo import accounts
from catalog.demo.orders import _orderable_variants, _without_email, advance, place
from catalog.extensions import db
from catalog.models import Address, ProductVariant, Seller, User
from catalog.models.orders import ORDER_COMPLETED
from catalog.models.sellers import STATUS_VERIFIED
from catalog.services import ledger, payouts
from catalog.services.errors import DomainError

OTHER_SELLERS = 4  # besides the demo seller: two in the paid batch, two in the one with a failed line
ORDER_AT_LEAST = 75_000  # each order's items, so every seller is above the payout minimum
FAILED_REASON = "Nomor rekening tidak ditemukan"
PAID_REFERENCE = "BRI-MASSAL-20260302-0117"


def _complete_one_order(seller: Seller, shopper: User, address: Address, admin: User) -> bool:
    """One completed order for `seller` (a few of one item, worth at least ORDER_AT_LEAST)."""
    variant_ids = _orderable_variants(seller.id, 1)
    if not variant_ids:
        return False
    variant = db.session.get(ProductVariant, variant_ids[0])
    quantity = min(max(1, -(-ORDER_AT_LEAST // max(variant.price, 1))), 40)
    try:
        group = place(shopper, address, [(variant.id, quantity)])
        order = next(o for o in group.orders if o.seller_id == seller.id)
        advance(order, ORDER_COMPLETED, seller=seller, shopper=shopper, admin=admin, tracking="CGK881234567")
    except (DomainError, StopIteration, IndexError):
        db.session.rollback()
        return False
    return True


def seed_payouts() -> dict[str, int]:
    """Two payout batches (one paid, one with a failed line); returns what was made for the log
    line. Makes nothing when the demo accounts are missing."""
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
        [accounts.SELLER.email, accounts.SHOPPER.email, accounts.ADMIN.email])))}
    demo_user, shopper, admin = (users.get(a.email) for a in (accounts.SELLER, accounts.SHOPPER, accounts.ADMIN))
    made = {"batches": 0, "paid": 0, "failed": 0}
    address = shopper and db.session.scalar(select(Address).where(Address.user_id == shopper.id)
                                            .order_by(Address.is_default.desc(), Address.id).limit(1))
    if not (demo_user and demo_user.seller and admin and address):
        return made
    candidates = db.session.scalars(
        select(Seller).where(Seller.id != demo_user.seller.id, Seller.status == STATUS_VERIFIED,
                             Seller.bank_account_number.is_not(None)).order_by(Seller.id).limit(20))
    others: list[Seller] = []
    with _without_email():
        for seller in candidates:
            if len(others) == OTHER_SELLERS:
                break
            if _complete_one_order(seller, shopper, address, admin):
                others.append(seller)
        minimum = payouts.minimum()
        ready = [s.id for s in [demo_user.seller, *others] if ledger.balance(s.id) >= minimum]
        if len(ready) < 2:
            return made
        first, second = ready[: max(1, len(ready) - 2)], ready[max(1, len(ready) - 2):]

        paid = payouts.create_batch(first, admin.id).batch
        payouts.export_csv(paid.id, admin.id)
        made["paid"] += payouts.mark_batch_paid(paid.id, PAID_REFERENCE, admin.id)
        made["batches"] += 1

        if second:
            mixed = payouts.create_batch(second, admin.id).batch
            payouts.export_csv(mixed.id, admin.id)
            lines = list(mixed.lines)
            if len(lines) > 1:
                payouts.mark_line_paid(lines[0].id, "BRI-20260302-0442", admin.id, batch_id=mixed.id)
                made["paid"] += 1
            payouts.mark_line_failed(lines[-1].id, FAILED_REASON, admin.id, batch_id=mixed.id)
            made["failed"] += 1
            made["batches"] += 1
    return made
