"""Purchase requests: made from the procurement cart (or by an RFQ's award, rfq.py), submitted
to the PPK or ordered directly by the Pejabat Pengadaan up to Rp200 juta, approved against the
budget, rejected or cancelled; approval issues one Surat Pesanan per seller."""

from datetime import date
from itertools import groupby

from flask_babel import lazy_gettext as _l

from catalog.extensions import db
from catalog.formatting import rupiah
from catalog.models import (
    OfficerMembership,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    PurchaseRequestLine,
    User,
)
from catalog.models.agencies import DUTY_PP, DUTY_PPK
from catalog.models.base import utcnow
from catalog.models.procurement import (
    DIRECT_PURCHASE_LIMIT,
    METHOD_CATALOGUE,
    PO_ISSUED,
    PR_APPROVED,
    PR_CANCELLED,
    PR_DRAFT,
    PR_NEGOTIATING,
    PR_ORDERED,
    PR_QUOTING,
    PR_REJECTED,
    PR_SUBMITTED,
)
from catalog.models.regions import LEVEL_KECAMATAN
from catalog.services import audit, notifications, regions, states
from catalog.services.certificates import jakarta_today
from catalog.services.errors import NotFound, PermissionDenied, ValidationFailed
from catalog.services.procurement import budget, numbering, officers
from catalog.services.procurement import cart as carts

TITLE_MAX = 200
NOTES_MAX = 2000
ADDRESS_MAX = 500
REASON_MAX = 500
RUP_MAX = 30
# Before approval the requester may still call a request off; a PPK may too.
CANCELLABLE = (PR_DRAFT, PR_SUBMITTED, PR_QUOTING, PR_NEGOTIATING)


def agency_request(user: User, request_id: int) -> PurchaseRequest:
    """A request of the officer's own agency; another agency's is "not found", never shown."""
    member = officers.membership(user)
    pr = db.session.get(PurchaseRequest, request_id)
    if pr is None or pr.agency_id != member.agency_id:
        raise NotFound(_l("Permintaan pembelian tidak ditemukan."))
    return pr


def _move(pr: PurchaseRequest, target: str, *, actor_id: int, reason: str | None = None, **extra) -> None:
    states.transition("purchase_request", pr, target, actor_id=actor_id, reason=reason, agency_id=pr.agency_id,
                      extra=extra or None)


def _text(value: str | None, maximum: int, field: str, *, required_message=None) -> str:
    text = (value or "").strip()
    if required_message and not text:
        raise ValidationFailed(required_message, field=field)
    if len(text) > maximum:
        raise ValidationFailed(_l("Paling banyak %(n)s karakter.", n=maximum), field=field)
    return text


def confirmed_ppks(agency_id: int) -> list[User]:
    """The agency's confirmed PPKs, for the "PPK" choice on a request."""
    return officers.confirmed_members(agency_id, DUTY_PPK)


def _ppk(agency_id: int, ppk_id: int | None) -> User | None:
    if ppk_id is None:
        return None
    ppk = next((u for u in confirmed_ppks(agency_id) if u.id == ppk_id), None)
    if ppk is None:  # a forged id, or a PPK of another agency
        raise ValidationFailed(_l("Pilih PPK dari instansi Anda sendiri."), field="ppk_id")
    return ppk


def fill_details(pr: PurchaseRequest, *, title: str | None, rup_code: str | None, needed_by: date | None,
                 delivery_address: str | None, delivery_kecamatan_code: str | None, notes: str | None,
                 ppk_id: int | None) -> None:
    """Validate and set what the officer types about a request (shared with rfq.py)."""
    pr.title = _text(title, TITLE_MAX, "title", required_message=_l("Isi judul permintaan."))
    pr.rup_code = _text(rup_code, RUP_MAX, "rup_code") or None
    if needed_by is not None and needed_by < jakarta_today():
        raise ValidationFailed(_l("Tanggal dibutuhkan tidak boleh sebelum hari ini."), field="needed_by")
    pr.needed_by = needed_by
    pr.delivery_address = _text(delivery_address, ADDRESS_MAX, "delivery_address",
                                required_message=_l("Isi alamat pengiriman."))
    if delivery_kecamatan_code is not None:
        ref = regions.get(delivery_kecamatan_code)
        if ref is None or ref.level != LEVEL_KECAMATAN:
            raise ValidationFailed(_l("Pilih kecamatan di Tangerang Raya."), field="delivery_kecamatan_code")
    pr.delivery_kecamatan_code = delivery_kecamatan_code
    pr.notes = _text(notes, NOTES_MAX, "notes")
    pr.ppk_id = _ppk(pr.agency_id, ppk_id).id if ppk_id is not None else None


def new_request(member: OfficerMembership, user: User, *, method: str) -> PurchaseRequest:
    """A draft with its number (not yet flushed lines)."""
    if not member.agency.is_active:
        raise PermissionDenied(_l("%(agency)s sudah ditutup oleh Dinas: permintaan pengadaan baru tidak dapat dibuat.",
                                  agency=member.agency.name))
    year = jakarta_today().year
    _seq, number = numbering.next_number(member.agency, year, numbering.KIND_REQUEST)
    pr = PurchaseRequest(agency_id=member.agency_id, number=number, fiscal_year=year, method=method,
                         status=PR_DRAFT, requester_id=user.id, title="", total=0)
    return pr


def create_from_cart(user: User, **details) -> PurchaseRequest:
    """Turn the officer's procurement cart into a draft request; the cart is emptied. Commits."""
    member = officers.require_duty(user, DUTY_PP, DUTY_PPK)
    cart = carts.cart_for(user)
    view = carts.review(cart)
    if not view.groups:
        raise ValidationFailed(_l("Keranjang pengadaan masih kosong."))
    if view.problems:
        raise ValidationFailed(view.problems[0])
    pr = new_request(member, user, method=METHOD_CATALOGUE)
    fill_details(pr, **details)
    for group in view.groups:
        for item in group.items:
            product = item.variant.product
            label = product.title + (f" — {item.variant.label}" if item.variant.label else "")
            pr.lines.append(PurchaseRequestLine(
                seller_id=product.seller_id, product_id=product.id, variant_id=item.variant_id,
                description=label[:300], unit=product.unit, quantity=item.quantity, unit_price=item.variant.price,
                tkdn_pct=product.tkdn_pct, category_id=product.category_id))
    pr.total = sum(line.subtotal for line in pr.lines)
    db.session.add(pr)
    db.session.flush()
    audit.record("purchase_request.created", pr, actor_id=user.id, agency_id=pr.agency_id,
                        after={"number": pr.number, "total": pr.total, "lines": len(pr.lines)})
    db.session.delete(cart)
    db.session.commit()
    return pr


def submit(pr: PurchaseRequest, user: User, *, direct: bool) -> None:
    """Send a draft (or an awarded RFQ's request) on: `direct` orders at once — only the Pejabat
    Pengadaan, only up to Rp200 juta; otherwise it waits for the chosen PPK. Commits."""
    member = officers.require_duty(user, DUTY_PP, DUTY_PPK)
    _same_agency(pr, member)
    if not pr.lines:
        raise ValidationFailed(_l("Permintaan ini belum punya barang."))
    if direct:
        if member.duty != DUTY_PP:
            raise PermissionDenied(_l("Pemesanan langsung hanya oleh Pejabat Pengadaan; PPK menyetujui."))
        if pr.total > DIRECT_PURCHASE_LIMIT:
            raise ValidationFailed(_l("Di atas Rp200.000.000 pesanan harus disetujui PPK."))
        _approve(pr, user, reason=None)
    else:
        if pr.ppk_id is None:
            raise ValidationFailed(_l("Pilih PPK yang akan menyetujui."), field="ppk_id")
        _move(pr, PR_SUBMITTED, actor_id=user.id, total=pr.total)
        pr.submitted_at = utcnow()
        notifications.notify(pr.ppk, "procurement_submitted",
                             _l("Permintaan %(number)s menunggu persetujuan Anda", number=pr.number),
                             _l("%(title)s — diajukan %(name)s.", title=pr.title, name=user.name),
                             link=f"/pengadaan/permintaan/{pr.id}")
    db.session.commit()


def approve(pr: PurchaseRequest, user: User, *, reason: str | None = None) -> None:
    """The PPK approves a submitted request: budget checked, Surat Pesanan issued. Commits."""
    member = officers.require_duty(user, DUTY_PPK)
    _same_agency(pr, member)
    if pr.status != PR_SUBMITTED:
        raise ValidationFailed(_l("Hanya permintaan yang menunggu persetujuan yang dapat disetujui."))
    _approve(pr, user, reason=_text(reason, REASON_MAX, "reason") or None)
    db.session.commit()


def reject(pr: PurchaseRequest, user: User, *, reason: str | None) -> None:
    member = officers.require_duty(user, DUTY_PPK)
    _same_agency(pr, member)
    text = _text(reason, REASON_MAX, "reason", required_message=_l("Tuliskan alasan penolakan."))
    _move(pr, PR_REJECTED, actor_id=user.id, reason=text)
    pr.decided_by_id, pr.decided_at, pr.decision_reason = user.id, utcnow(), text
    notifications.notify(pr.requester, "procurement_rejected",
                         _l("Permintaan %(number)s ditolak PPK", number=pr.number), _l("Alasan: %(reason)s", reason=text),
                         link=f"/pengadaan/permintaan/{pr.id}")
    db.session.commit()


def cancel(pr: PurchaseRequest, user: User, *, reason: str | None) -> None:
    """The requester or a PPK calls a request off before it is approved. Commits."""
    member = officers.require_duty(user, DUTY_PP, DUTY_PPK)
    _same_agency(pr, member)
    if member.duty != DUTY_PPK and pr.requester_id != user.id:
        raise PermissionDenied(_l("Hanya pembuat permintaan atau PPK yang dapat membatalkannya."))
    if pr.status not in CANCELLABLE:
        raise ValidationFailed(_l("Permintaan yang sudah disetujui tidak dapat dibatalkan di sini."))
    text = _text(reason, REASON_MAX, "reason", required_message=_l("Tuliskan alasan pembatalan."))
    _move(pr, PR_CANCELLED, actor_id=user.id, reason=text)
    if pr.rfq is not None and pr.rfq.status == "open":
        states.transition("rfq", pr.rfq, "cancelled", actor_id=user.id, reason=text, agency_id=pr.agency_id)
    db.session.commit()


def _same_agency(pr: PurchaseRequest, member: OfficerMembership) -> None:
    if pr.agency_id != member.agency_id:
        raise NotFound(_l("Permintaan pembelian tidak ditemukan."))


def _approve(pr: PurchaseRequest, user: User, *, reason: str | None) -> None:
    """approved → ordered in one go: check the budget (locked), issue a Surat Pesanan per seller."""
    result = budget.check(pr.agency_id, pr.fiscal_year, pr.total)
    pr.over_budget = result.over
    _move(pr, PR_APPROVED, actor_id=user.id, reason=reason, total=pr.total, over_budget=result.over,
          remaining_before=result.remaining)
    pr.decided_by_id, pr.decided_at, pr.decision_reason = user.id, utcnow(), reason
    orders = issue_orders(pr, user)
    _move(pr, PR_ORDERED, actor_id=user.id, orders=[po.number for po in orders])


def issue_orders(pr: PurchaseRequest, signer: User) -> list[PurchaseOrder]:
    """One Surat Pesanan per seller, numbered per agency and year; the seller's scale, koperasi
    and kecamatan are copied onto it (what the Inpres 2/2022 share counts)."""
    issued = []
    now = utcnow()
    lines = sorted(pr.lines, key=lambda line: (line.seller_id, line.id))
    for _seller_id, seller_lines in groupby(lines, key=lambda line: line.seller_id):
        seller_lines = list(seller_lines)
        seller = seller_lines[0].seller
        sequence, number = numbering.next_number(pr.agency, pr.fiscal_year, numbering.KIND_ORDER)
        po = PurchaseOrder(
            request=pr, agency_id=pr.agency_id, seller_id=seller.id, fiscal_year=pr.fiscal_year, sequence=sequence,
            number=number, status=PO_ISSUED, total=sum(line.subtotal for line in seller_lines), issued_at=now,
            signed_by_id=signer.id, seller_scale=seller.scale, seller_is_koperasi=seller.is_koperasi,
            seller_kecamatan_code=seller.kecamatan_code,
            lines=[PurchaseOrderLine(request_line_id=line.id, product_id=line.product_id,
                                     description=line.description, unit=line.unit, quantity=line.quantity,
                                     unit_price=line.unit_price, tkdn_pct=line.tkdn_pct,
                                     category_id=line.category_id) for line in seller_lines])
        db.session.add(po)
        db.session.flush()
        audit.record("purchase_order.issued", po, actor_id=signer.id, agency_id=pr.agency_id,
                            after={"number": number, "total": po.total, "seller_id": seller.id})
        notifications.notify(seller.user, "gov_order_issued",
                             _l("Surat Pesanan baru %(number)s", number=number),
                             _l("%(agency)s memesan senilai %(total)s. Terima atau tolak di dasbor Anda.",
                                agency=pr.agency.name, total=rupiah(po.total)),
                             link=f"/penjual/pesanan-pemerintah/{po.id}")
        issued.append(po)
    return issued

