"""A Surat Pesanan after it is issued: the seller accepts or declines it, ships (partial
deliveries allowed), the PPK records the BAST, the seller invoices, the Bendahara records the
payment and the PPK rates the seller. The request follows its orders (advance_request)."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.formatting import rupiah
from catalog.models import (
    GovDelivery,
    GovDeliveryLine,
    Invoice,
    PaymentRecord,
    PurchaseOrder,
    PurchaseRequest,
    Receipt,
    ReceiptLine,
    Seller,
    SellerRating,
    User,
)
from catalog.models.agencies import DUTY_BENDAHARA, DUTY_PPK
from catalog.models.base import utcnow
from catalog.models.procurement import (
    GOV_CARD_LIMIT,
    GOV_PAYMENT_METHODS,
    INVOICE_ISSUED,
    INVOICE_PAID,
    PAY_GOV_CARD,
    PO_ACCEPTED,
    PO_CANCELLED,
    PO_DECLINED,
    PO_INVOICED,
    PO_ISSUED,
    PO_PAID,
    PO_RECEIVED,
    PO_SHIPPED,
    PR_CANCELLED,
    PR_CLOSED,
    PR_INVOICED,
    PR_ORDERED,
    PR_PAID,
    PR_RECEIVED,
    PR_SHIPPED,
)
from catalog.models.sellers import DOC_SUKET_PP55
from catalog.services import audit, notifications, states
from catalog.services.certificates import jakarta_today
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from catalog.services.procurement import budget, numbering, officers, taxes

REASON_MAX = 500
NOTE_MAX = 500
REFERENCE_MAX = 80
BAST_NUMBER_MAX = 80


# --- finding one -----------------------------------------------------------------------------------

def agency_order(user: User, order_id: int) -> PurchaseOrder:
    """A Surat Pesanan of the officer's agency; another agency's is "not found"."""
    member = officers.membership(user)
    po = db.session.get(PurchaseOrder, order_id)
    if po is None or po.agency_id != member.agency_id:
        raise NotFound(_l("Surat Pesanan tidak ditemukan."))
    return po


def seller_order(seller: Seller, order_id: int) -> PurchaseOrder:
    po = db.session.get(PurchaseOrder, order_id)
    if po is None or po.seller_id != seller.id:
        raise NotFound(_l("Surat Pesanan tidak ditemukan."))
    return po


def _move(po: PurchaseOrder, target: str, *, actor_id: int, reason: str | None = None, **extra) -> None:
    states.transition("purchase_order", po, target, actor_id=actor_id, reason=reason, agency_id=po.agency_id,
                      extra=extra or None)


def _check_seller(po: PurchaseOrder, seller: Seller) -> None:
    if po.seller_id != seller.id:
        raise NotFound(_l("Surat Pesanan tidak ditemukan."))


def _check_agency(po: PurchaseOrder, user: User, *duties: str) -> None:
    member = officers.require_duty(user, *duties)
    if po.agency_id != member.agency_id:
        raise NotFound(_l("Surat Pesanan tidak ditemukan."))


def _text(value: str | None, maximum: int, field: str, *, required_message=None) -> str:
    text = (value or "").strip()
    if required_message and not text:
        raise ValidationFailed(required_message, field=field)
    if len(text) > maximum:
        raise ValidationFailed(_l("Paling banyak %(n)s karakter.", n=maximum), field=field)
    return text


def _not_future(day: date | None, field: str) -> date:
    today = jakarta_today()
    if day is None:
        return today
    if day > today:
        raise ValidationFailed(_l("Tanggal tidak boleh setelah hari ini."), field=field)
    return day


def _tell_agency(po: PurchaseOrder, kind: str, title, body) -> None:
    """The requester and the PPK who signed hear of the seller's moves."""
    people = {po.request.requester, po.signed_by}
    if po.request.ppk is not None:
        people.add(po.request.ppk)
    for person in people:
        notifications.notify(person, kind, title, body, link=f"/pengadaan/sp/{po.id}")


# --- the request follows its orders -----------------------------------------------------------------

# Where a live Surat Pesanan has got to, as a request state.
_STAGE = {PO_ISSUED: PR_ORDERED, PO_ACCEPTED: PR_ORDERED, PO_SHIPPED: PR_SHIPPED, PO_RECEIVED: PR_RECEIVED,
          PO_INVOICED: PR_INVOICED, PO_PAID: PR_PAID}
_CHAIN = (PR_ORDERED, PR_SHIPPED, PR_RECEIVED, PR_INVOICED, PR_PAID, PR_CLOSED)


def advance_request(pr: PurchaseRequest, *, actor_id: int) -> None:
    """Move the request as far as its slowest live Surat Pesanan (declined and cancelled ones do
    not count; when none is live the request is cancelled). Paid and rated everywhere: closed."""
    live = [po for po in pr.purchase_orders if po.status not in (PO_DECLINED, PO_CANCELLED)]
    if pr.status not in _CHAIN:
        return
    if not live:
        states.transition("purchase_request", pr, PR_CANCELLED, actor_id=actor_id, agency_id=pr.agency_id,
                          reason=str(_l("Semua Surat Pesanan ditolak atau dibatalkan.")))
        return
    stage = min((_STAGE[po.status] for po in live), key=_CHAIN.index)
    if stage == PR_PAID and all(po.rating is not None for po in live):
        stage = PR_CLOSED
    while _CHAIN.index(pr.status) < _CHAIN.index(stage):
        step = _CHAIN[_CHAIN.index(pr.status) + 1]
        if step == PR_SHIPPED and _CHAIN.index(stage) >= _CHAIN.index(PR_RECEIVED):
            step = PR_RECEIVED  # received without a recorded delivery: skip "shipped"
        states.transition("purchase_request", pr, step, actor_id=actor_id, agency_id=pr.agency_id)


# --- the seller's answer ------------------------------------------------------------------------------

def accept(po: PurchaseOrder, seller: Seller, *, actor_id: int) -> None:
    _check_seller(po, seller)
    _move(po, PO_ACCEPTED, actor_id=actor_id)
    po.answered_at = utcnow()
    _tell_agency(po, "gov_order_accepted", _l("Surat Pesanan %(number)s diterima penjual", number=po.number),
                 _l("%(seller)s menyanggupi pesanan ini.", seller=seller.business_name))
    db.session.commit()


def decline(po: PurchaseOrder, seller: Seller, *, actor_id: int, reason: str | None) -> None:
    _check_seller(po, seller)
    text = _text(reason, REASON_MAX, "reason", required_message=_l("Tuliskan alasan menolak pesanan."))
    _move(po, PO_DECLINED, actor_id=actor_id, reason=text)
    po.answered_at, po.decline_reason = utcnow(), text
    advance_request(po.request, actor_id=actor_id)
    _tell_agency(po, "gov_order_declined", _l("Surat Pesanan %(number)s ditolak penjual", number=po.number),
                 _l("Alasan: %(reason)s", reason=text))
    db.session.commit()


# --- delivery and BAST --------------------------------------------------------------------------------

def _quantities(po: PurchaseOrder, quantities: dict[int, int], *, limit, too_many) -> dict:
    """{line: quantity} for the lines with a positive quantity, each within `limit(line)`."""
    by_id = {line.id: line for line in po.lines}
    chosen = {}
    for line_id, quantity in quantities.items():
        line = by_id.get(int(line_id))
        if line is None:
            raise ValidationFailed(_l("Baris pesanan tidak dikenal."))
        if quantity is None or quantity == 0:
            continue
        if quantity < 0:
            raise ValidationFailed(_l("Jumlah tidak boleh negatif."), field=f"line-{line.id}")
        if quantity > limit(line):
            raise ValidationFailed(too_many(line), field=f"line-{line.id}")
        chosen[line] = quantity
    if not chosen:
        raise ValidationFailed(_l("Isi jumlah untuk sedikitnya satu barang."))
    return chosen


def record_delivery(po: PurchaseOrder, seller: Seller, *, actor_id: int, quantities: dict[int, int],
                    shipped_on: date | None = None, note: str | None = None) -> GovDelivery:
    """The seller sends some or all of what is still to ship. Commits."""
    _check_seller(po, seller)
    if po.status not in (PO_ACCEPTED, PO_SHIPPED):
        raise InvalidTransition(_l("Kirim barang setelah Surat Pesanan Anda terima, dan sebelum BAST lengkap."))
    chosen = _quantities(po, quantities, limit=lambda line: line.quantity - line.quantity_shipped,
                         too_many=lambda line: _l("%(item)s: paling banyak %(n)s lagi yang belum dikirim.",
                                                  item=line.description, n=line.quantity - line.quantity_shipped))
    delivery = GovDelivery(purchase_order=po, shipped_on=_not_future(shipped_on, "shipped_on"),
                           note=_text(note, NOTE_MAX, "note"), created_by_id=actor_id)
    for line, quantity in chosen.items():
        delivery.lines.append(GovDeliveryLine(order_line=line, quantity=quantity))
        line.quantity_shipped += quantity
    db.session.add(delivery)
    if po.status == PO_ACCEPTED:
        _move(po, PO_SHIPPED, actor_id=actor_id)
    db.session.flush()
    audit.record("purchase_order.delivery", po, actor_id=actor_id, agency_id=po.agency_id,
                 after={"delivery_id": delivery.id, "lines": {str(line.id): q for line, q in chosen.items()}})
    advance_request(po.request, actor_id=actor_id)
    _tell_agency(po, "gov_order_shipped", _l("Barang Surat Pesanan %(number)s dikirim", number=po.number),
                 _l("Periksa barangnya, lalu PPK mencatat BAST."))
    db.session.commit()
    return delivery


def record_receipt(po: PurchaseOrder, user: User, *, number: str | None, received_on: date | None,
                   quantities: dict[int, int], notes: str | None = None) -> Receipt:
    """The PPK's BAST: the quantities received per line (never more than ordered). Every unit
    received: the Surat Pesanan is received and the seller may invoice. Commits."""
    _check_agency(po, user, DUTY_PPK)
    if po.status not in (PO_ACCEPTED, PO_SHIPPED):
        raise InvalidTransition(_l("BAST dicatat setelah penjual menerima Surat Pesanan, dan hanya sekali per barang."))
    bast_number = _text(number, BAST_NUMBER_MAX, "number", required_message=_l("Isi nomor BAST instansi."))
    chosen = _quantities(po, quantities, limit=lambda line: line.quantity - line.quantity_received,
                         too_many=lambda line: _l("%(item)s: dipesan %(ordered)s, sudah diterima %(received)s — "
                                                  "BAST tidak boleh melebihi pesanan.", item=line.description,
                                                  ordered=line.quantity, received=line.quantity_received))
    receipt = Receipt(purchase_order=po, number=bast_number, received_on=_not_future(received_on, "received_on"),
                      notes=_text(notes, NOTE_MAX, "notes"), recorded_by_id=user.id)
    for line, quantity in chosen.items():
        receipt.lines.append(ReceiptLine(order_line=line, quantity=quantity))
        line.quantity_received += quantity
        line.quantity_shipped = max(line.quantity_shipped, line.quantity_received)
    db.session.add(receipt)
    db.session.flush()
    audit.record("purchase_order.bast", po, actor_id=user.id, agency_id=po.agency_id,
                 after={"receipt_id": receipt.id, "number": bast_number,
                        "lines": {str(line.id): q for line, q in chosen.items()}})
    if all(line.quantity_received >= line.quantity for line in po.lines):
        _move(po, PO_RECEIVED, actor_id=user.id, bast=bast_number)
        notifications.notify(po.seller.user, "gov_order_received",
                             _l("BAST Surat Pesanan %(number)s tercatat", number=po.number),
                             _l("Semua barang diterima. Anda sekarang dapat menerbitkan tagihan."),
                             link=f"/penjual/pesanan-pemerintah/{po.id}")
    advance_request(po.request, actor_id=user.id)
    db.session.commit()
    return receipt


# --- invoice and payment ---------------------------------------------------------------------------

def has_valid_pp55(seller: Seller, day: date) -> bool:
    return any(doc.kind == DOC_SUKET_PP55 and doc.is_valid_on(day) for doc in seller.documents)


def tax_preview(po: PurchaseOrder, day: date | None = None) -> taxes.TaxPreview:
    day = day or jakarta_today()
    return taxes.preview(po.total, is_pkp=po.seller.is_pkp, has_pp55=has_valid_pp55(po.seller, day))


def issue_invoice(po: PurchaseOrder, seller: Seller, *, actor_id: int) -> Invoice:
    """The seller's kuitansi, only after the BAST (UU 1/2004 Pasal 21: no payment before
    delivery); due after the agency's payment term. Commits."""
    _check_seller(po, seller)
    if po.status in (PO_ISSUED, PO_ACCEPTED, PO_SHIPPED):
        raise InvalidTransition(_l("Tagihan baru dapat diterbitkan setelah PPK mencatat BAST untuk semua barang."))
    today = jakarta_today()
    preview = tax_preview(po, today)
    year_budget = budget.budget_for(po.agency_id, po.fiscal_year)
    term = year_budget.payment_term_days if year_budget else 30
    _seq, number = numbering.next_number(po.agency, po.fiscal_year, numbering.KIND_INVOICE)
    _move(po, PO_INVOICED, actor_id=actor_id, invoice=number)
    invoice = Invoice(purchase_order=po, agency_id=po.agency_id, seller_id=seller.id, number=number,
                      status=INVOICE_ISSUED, total=preview.total, dpp=preview.dpp, ppn=preview.ppn,
                      pph22=preview.pph22, pph22_rate_permille=preview.pph22_rate_permille, net=preview.net,
                      issued_on=today, due_on=today + timedelta(days=term))
    db.session.add(invoice)
    db.session.flush()
    audit.record("invoice.issued", invoice, actor_id=actor_id, agency_id=po.agency_id,
                 after={"number": number, "total": invoice.total, "pph22": invoice.pph22, "ppn": invoice.ppn,
                        "due_on": invoice.due_on})
    advance_request(po.request, actor_id=actor_id)
    for person in officers.confirmed_members(po.agency_id, DUTY_BENDAHARA):
        notifications.notify(person, "gov_invoice_issued", _l("Tagihan %(number)s perlu dibayar", number=number),
                              _l("%(seller)s menagih %(total)s, jatuh tempo %(due)s.", seller=seller.business_name,
                                 total=rupiah(invoice.total), due=invoice.due_on.isoformat()),
                              link=f"/pengadaan/tagihan/{invoice.id}")
    db.session.commit()
    return invoice


def agency_invoice(user: User, invoice_id: int) -> Invoice:
    member = officers.membership(user)
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.agency_id != member.agency_id:
        raise NotFound(_l("Tagihan tidak ditemukan."))
    return invoice


def record_payment(invoice: Invoice, user: User, *, method: str, reference: str | None,
                   paid_on: date | None) -> PaymentRecord:
    """The Bendahara records paying the invoice's net amount (after the withholding shown).
    Paying twice is refused; the unique invoice_id is the last guard under a race. Commits."""
    member = officers.require_duty(user, DUTY_BENDAHARA)
    if invoice.agency_id != member.agency_id:
        raise NotFound(_l("Tagihan tidak ditemukan."))
    if invoice.status == INVOICE_PAID:
        raise InvalidTransition(_l("Tagihan %(number)s sudah dibayar.", number=invoice.number))
    if method not in GOV_PAYMENT_METHODS:
        raise ValidationFailed(_l("Pilih cara pembayaran."), field="method")
    if method == PAY_GOV_CARD and invoice.total > GOV_CARD_LIMIT:
        raise ValidationFailed(_l("Kartu Kredit Pemerintah paling banyak Rp200.000.000 per penyedia."), field="method")
    ref = _text(reference, REFERENCE_MAX, "reference", required_message=_l("Isi nomor referensi pembayaran."))
    day = _not_future(paid_on, "paid_on")
    if day < invoice.issued_on:
        raise ValidationFailed(_l("Tanggal bayar tidak boleh sebelum tanggal tagihan."), field="paid_on")
    po = invoice.purchase_order
    _move(po, PO_PAID, actor_id=user.id, invoice=invoice.number)
    invoice.status, invoice.paid_on = INVOICE_PAID, day
    record = PaymentRecord(invoice=invoice, method=method, reference=ref, amount=invoice.net, paid_on=day,
                           recorded_by_id=user.id)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidTransition(_l("Tagihan %(number)s sudah dibayar.", number=invoice.number)) from None
    audit.record("invoice.paid", invoice, actor_id=user.id, agency_id=invoice.agency_id,
                 after={"method": method, "reference": ref, "amount": record.amount, "paid_on": day})
    advance_request(po.request, actor_id=user.id)
    notifications.notify(po.seller.user, "gov_invoice_paid", _l("Tagihan %(number)s dibayar", number=invoice.number),
                         _l("%(agency)s membayar %(amount)s pada %(day)s (ref. %(ref)s).", agency=po.agency.name,
                            amount=rupiah(record.amount), day=day.isoformat(), ref=ref),
                         link=f"/penjual/pesanan-pemerintah/{po.id}")
    db.session.commit()
    return record


def overdue_invoices(*, agency_id: int | None = None, seller_id: int | None = None, today: date | None = None,
                     limit: int = 200) -> list[Invoice]:
    """Unpaid invoices past their due date, the longest overdue first (for the agency, the
    seller or — with neither — the Dinas). One query with what the lists show."""
    query = (select(Invoice).where(Invoice.status == INVOICE_ISSUED, Invoice.due_on < (today or jakarta_today()))
             .options(joinedload(Invoice.seller), joinedload(Invoice.agency), joinedload(Invoice.purchase_order))
             .order_by(Invoice.due_on, Invoice.id).limit(limit))
    if agency_id is not None:
        query = query.where(Invoice.agency_id == agency_id)
    if seller_id is not None:
        query = query.where(Invoice.seller_id == seller_id)
    return list(db.session.scalars(query))


def days_overdue(invoice: Invoice, today: date | None = None) -> int:
    """Days past the due date of an unpaid invoice (0 when paid or not yet due)."""
    if invoice.status == INVOICE_PAID:
        return 0
    return max(0, ((today or jakarta_today()) - invoice.due_on).days)


# --- rating ------------------------------------------------------------------------------------------

def rate(po: PurchaseOrder, user: User, *, on_time: int, quantity: int, quality: int,
         comment: str | None = None) -> SellerRating:
    """The PPK rates the seller once the goods are received (1–5 each). Commits."""
    _check_agency(po, user, DUTY_PPK)
    if po.status not in (PO_RECEIVED, PO_INVOICED, PO_PAID):
        raise InvalidTransition(_l("Penilaian diberikan setelah BAST."))
    if po.rating is not None:
        raise InvalidTransition(_l("Penjual sudah dinilai untuk Surat Pesanan ini."))
    for field, value in (("on_time", on_time), ("quantity", quantity), ("quality", quality)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationFailed(_l("Beri nilai 1 sampai 5."), field=field)
    rating = SellerRating(purchase_order=po, seller_id=po.seller_id, on_time=on_time, quantity=quantity,
                          quality=quality, comment=_text(comment, NOTE_MAX, "comment"), rated_by_id=user.id)
    db.session.add(rating)
    db.session.flush()
    audit.record("purchase_order.rated", po, actor_id=user.id, agency_id=po.agency_id,
                 after={"on_time": on_time, "quantity": quantity, "quality": quality})
    advance_request(po.request, actor_id=user.id)
    db.session.commit()
    return rating
