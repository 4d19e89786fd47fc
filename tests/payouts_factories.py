"""Sellers with money in their balance and a payout account, for the payout tests."""

from sqlalchemy import select

from catalog.extensions import db
from catalog.models import LedgerEntry, Seller
from catalog.services import ledger
from tests.factories import gen_seller, gen_user


def gen_admin():
    user = gen_user(role="admin")
    db.session.commit()
    return user


def banked_seller(balance: int = 0, *, admin_id: int | None = None, **kw) -> Seller:
    """A verified seller with a complete bank account and `balance` in its ledger (an adjustment
    by the Dinas, which the books count)."""
    n = kw.pop("n", "")
    seller = gen_seller(bank_name=kw.pop("bank_name", "BRI"),
                        bank_account_number=kw.pop("bank_account_number", f"0021010{n}123456"),
                        bank_account_name=kw.pop("bank_account_name", "Siti Rahmawati"), **kw)
    db.session.commit()
    if balance:
        ledger.adjust(seller.id, balance, "Saldo awal uji", actor_id=admin_id or gen_admin().id)
    return seller


def entries(seller_id: int) -> list[tuple[str, int, int]]:
    return [tuple(row) for row in db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.balance_after)
        .where(LedgerEntry.seller_id == seller_id).order_by(LedgerEntry.id))]
