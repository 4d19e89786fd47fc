"""Every lifecycle's transition table, and the one function that moves state and audits it."""

from typing import Any

from flask_babel import lazy_gettext as _l

from catalog.services import audit
from catalog.services.errors import InvalidTransition

# Seller verification: pending → verified | rejected; verified ⇄ suspended; a rejected seller
# may fix the paperwork and ask again (→ pending).
SELLER = {
    "pending": {"verified", "rejected"},
    "rejected": {"pending"},
    "verified": {"suspended"},
    "suspended": {"verified"},
}

# Payment of one checkout (Payment.status): only a Stripe event or a confirmed transfer pays;
# an unpaid one expires (stock returns), fails or is called off by the shopper; a paid one is refunded in part (one seller's
# order cancelled) or in full.
PAYMENT = {
    "pending": {"paid", "expired", "failed", "cancelled"},
    "paid": {"partially_refunded", "refunded"},
    "partially_refunded": {"partially_refunded", "refunded"},
}

# Fulfilment of one seller's order (Order.status). Cancelling is possible until the parcel
# leaves; the shopper's confirmation of receipt (or the automatic one after some days)
# completes a shipped or delivered order, and only then does the money reach the seller.
ORDER = {
    "awaiting_payment": {"new", "cancelled"},
    "new": {"accepted", "rejected", "cancelled"},
    "accepted": {"shipped", "cancelled"},
    "shipped": {"delivered", "completed"},
    "delivered": {"completed"},
}

# A government purchase request (PurchaseRequest.status). A catalogue request is submitted to
# the PPK, or approved at once by the Pejabat Pengadaan up to Rp200 juta; an RFQ request quotes
# (and negotiates while a counter-offer waits) until the award, then goes the same way. From
# "ordered" on it follows its Surat Pesanan: it moves when every live one has moved (procurement
# services advance it). Nothing is paid before the BAST (UU 1/2004 Pasal 21): "paid" is reachable
# only from "invoiced", which is reachable only from "received".
PURCHASE_REQUEST = {
    "draft": {"submitted", "approved", "quoting", "cancelled"},
    "quoting": {"negotiating", "submitted", "approved", "cancelled", "expired"},
    "negotiating": {"quoting", "submitted", "approved", "cancelled", "expired"},
    "submitted": {"approved", "rejected", "cancelled"},
    "approved": {"ordered"},
    "ordered": {"shipped", "received", "cancelled"},
    "shipped": {"received"},
    "received": {"invoiced"},
    "invoiced": {"paid"},
    "paid": {"closed"},
}

# A request for quotation (Rfq.status): awarded by the officer, or expired 3 working days after
# its deadline without an award.
RFQ = {
    "open": {"awarded", "cancelled", "expired"},
}

# A Surat Pesanan (PurchaseOrder.status): the seller accepts or declines; deliveries ship it;
# the PPK's BAST for every unit receives it; the seller's invoice, then the Bendahara's payment.
PURCHASE_ORDER = {
    "issued": {"accepted", "declined", "cancelled"},
    "accepted": {"shipped", "received", "cancelled"},
    "shipped": {"received"},
    "received": {"invoiced"},
    "invoiced": {"paid"},
}

# A payout batch (PayoutBatch.status, services/payouts.py): exported to the bank as a CSV, then
# it follows its lines — partially_paid while some still wait (or when some failed), paid when
# all were paid, failed when none was. A draft the bank never saw can be cancelled.
PAYOUT_BATCH = {
    "draft": {"exported", "cancelled"},
    "exported": {"paid", "partially_paid", "failed"},
    "partially_paid": {"paid", "partially_paid", "failed"},
}

# What the refusal message calls each state (the codes stay English in the data).
STATE_NAMES = {
    "pending": _l("menunggu"), "verified": _l("terverifikasi"), "rejected": _l("ditolak"),
    "suspended": _l("dibekukan"), "paid": _l("dibayar"), "partially_refunded": _l("dikembalikan sebagian"),
    "refunded": _l("dikembalikan"), "expired": _l("kedaluwarsa"), "failed": _l("gagal"),
    "cancelled": _l("dibatalkan"), "awaiting_payment": _l("menunggu pembayaran"), "new": _l("baru"),
    "accepted": _l("diproses"), "shipped": _l("dikirim"), "delivered": _l("sampai"), "completed": _l("selesai"),
    "draft": _l("draf"), "submitted": _l("menunggu persetujuan PPK"), "quoting": _l("permintaan penawaran"),
    "negotiating": _l("negosiasi"), "approved": _l("disetujui"), "ordered": _l("Surat Pesanan terbit"),
    "received": _l("diterima (BAST)"), "invoiced": _l("ditagih"), "closed": _l("selesai"),
    "open": _l("terbuka"), "awarded": _l("sudah dipilih pemenang"), "issued": _l("menunggu jawaban penjual"),
    "declined": _l("ditolak penjual"), "exported": _l("diekspor ke bank"), "partially_paid": _l("dibayar sebagian"),
}


def state_name(state: str) -> str:
    return str(STATE_NAMES.get(state, state))


TABLES: dict[str, dict[str, set[str]]] = {
    "seller": SELLER,
    "payment": PAYMENT,
    "order": ORDER,
    "purchase_request": PURCHASE_REQUEST,
    "rfq": RFQ,
    "purchase_order": PURCHASE_ORDER,
    "payout_batch": PAYOUT_BATCH,
}


def allowed(machine: str, current: str, target: str) -> bool:
    return target in TABLES[machine].get(current, set())


def transition(
    machine: str,
    obj: Any,
    target: str,
    *,
    actor_id: int | None,
    reason: str | None = None,
    agency_id: int | None = None,
    attr: str = "status",
    extra: dict | None = None,
) -> None:
    """Move `obj` to `target` if the machine allows it and append the audit event.

    Runs inside the caller's transaction; raises InvalidTransition and changes nothing otherwise.
    """
    current = getattr(obj, attr)
    if not allowed(machine, current, target):
        raise InvalidTransition(
            _l("Status tidak dapat diubah dari “%(current)s” menjadi “%(target)s”.", current=state_name(current),
               target=state_name(target))
        )
    setattr(obj, attr, target)
    audit.record(
        f"{machine}.{target}",
        obj,
        actor_id=actor_id,
        before={attr: current},
        after={attr: target, **(extra or {})},
        reason=reason,
        agency_id=agency_id,
    )
