"""Payouts: the Dinas pays sellers their available balance in batches by bank transfer.

A batch is made of the sellers who can be paid now (verified, balance at least the minimum, a
complete bank account not changed in the last 24 hours). Putting a seller in a batch appends a
`payout` entry for the whole balance under the lock on the seller, so the money leaves the
balance at once and the same money can never be in two batches, even when two admins make
batches at the same moment. The batch is exported as a bulk-transfer CSV for the bank; after
the bank run each line is marked paid (with the bank's reference) or failed (with a reason: a
`payout_reversal` entry gives the money back). A draft that was never exported can be cancelled.

    draft → exported → paid | partially_paid | failed      (draft → cancelled)
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.formatting import JAKARTA, rupiah, tanggal_waktu
from catalog.models import LedgerEntry, PayoutBatch, PayoutLine, Seller
from catalog.models.base import utcnow
from catalog.models.ledger import (
    BATCH_DRAFT,
    BATCH_EXPORTED,
    BATCH_FAILED,
    BATCH_PAID,
    BATCH_PARTIALLY_PAID,
    ENTRY_PAYOUT,
    ENTRY_PAYOUT_REVERSAL,
    LINE_FAILED,
    LINE_PAID,
    LINE_PENDING,
)
from catalog.models.sellers import STATUS_VERIFIED
from catalog.services import audit, ledger, notifications
from catalog.services.compliance_export import Table
from catalog.services.csv_tables import table_csv
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from catalog.services.states import state_name, transition

BATCH_CANCELLED = "cancelled"  # a draft called off before it went to the bank (not a model constant)
DEFAULT_MINIMUM = 50_000
BANK_CHANGE_HOLD = timedelta(hours=24)
NUMBER_PREFIX = "CAIR"
REFERENCE_MAX = 60
REASON_MAX = 500
BALANCE_LINK = "/penjual/saldo"
CANCEL_REASON = _l("Batch pencairan dibatalkan sebelum dikirim ke bank.")
# A batch whose lines can still be decided (marked paid or failed).
DECIDABLE = (BATCH_EXPORTED, BATCH_PARTIALLY_PAID)

MSG_NO_SELLERS = _l("Pilih minimal satu penjual untuk batch pencairan.")
MSG_EMPTY_BATCH = _l("Batch tidak dibuat: tidak ada penjual terpilih yang dapat dicairkan sekarang.")
MSG_REFERENCE_REQUIRED = _l("Tuliskan nomor referensi transfer dari bank.")
MSG_REFERENCE_LONG = _l("Nomor referensi terlalu panjang: maksimal %(max)d karakter.", max=REFERENCE_MAX)
MSG_FAILURE_REASON_REQUIRED = _l("Tuliskan alasan transfer gagal (penjual akan membacanya).")
MSG_NOT_EXPORTED = _l("Batch ini belum diekspor ke bank. Ekspor CSV-nya dulu, lalu tandai hasil transfernya.")
MSG_ONLY_DRAFT_CANCEL = _l("Hanya batch draf (belum diekspor ke bank) yang dapat dibatalkan.")
MSG_NOT_FOUND = _l("Batch pencairan tidak ditemukan.")
MSG_LINE_NOT_FOUND = _l("Baris pencairan tidak ditemukan di batch ini.")

LINE_NAMES = {LINE_PENDING: _l("menunggu"), LINE_PAID: _l("dibayar"), LINE_FAILED: _l("gagal")}
BATCH_NAMES = {
    BATCH_DRAFT: _l("draf"), BATCH_EXPORTED: _l("diekspor ke bank"), BATCH_PAID: _l("dibayar"),
    BATCH_PARTIALLY_PAID: _l("dibayar sebagian"), BATCH_FAILED: _l("gagal"), BATCH_CANCELLED: _l("dibatalkan"),
}


def minimum() -> int:
    return int(current_app.config.get("PAYOUT_MINIMUM", DEFAULT_MINIMUM))


def batch_name(status: str) -> str:
    return str(BATCH_NAMES.get(status, state_name(status)))


def line_name(status: str) -> str:
    return str(LINE_NAMES.get(status, status))


# --- who can be paid ---------------------------------------------------------------------------------

@dataclass
class SellerBalance:
    seller: Seller
    balance: int
    reason: str | None = None  # why it cannot be paid now; None: ready

    @property
    def ready(self) -> bool:
        return self.reason is None


@dataclass
class Eligibility:
    minimum: int
    ready: list[SellerBalance] = field(default_factory=list)
    held: list[SellerBalance] = field(default_factory=list)

    @property
    def ready_total(self) -> int:
        return sum(row.balance for row in self.ready)


def bank_complete(seller: Seller) -> bool:
    return all((value or "").strip() for value in (seller.bank_name, seller.bank_account_number,
                                                  seller.bank_account_name))


def hold_reason(seller: Seller, balance: int, minimum_amount: int, now: datetime) -> str | None:
    """Why `seller` cannot be paid `balance` now (already translated), or None."""
    if seller.status != STATUS_VERIFIED:
        return str(_l("penjual tidak terverifikasi (%(status)s)", status=state_name(seller.status)))
    if not bank_complete(seller):
        return str(_l("rekening bank belum lengkap"))
    changed = seller.bank_account_changed_at
    if changed is not None and now - changed < BANK_CHANGE_HOLD:
        return str(_l("rekening baru diubah, dapat dicairkan mulai %(when)s",
                      when=tanggal_waktu(changed + BANK_CHANGE_HOLD)))
    if balance < minimum_amount:
        return str(_l("saldo di bawah minimum %(minimum)s", minimum=rupiah(minimum_amount)))
    return None


def eligible_sellers(minimum_amount: int | None = None, *, now: datetime | None = None) -> Eligibility:
    """Every seller with money in its balance: those that can be paid now ("siap dicairkan") and
    the others with the reason ("tertahan"), the largest balance first. Two statements."""
    minimum_amount = minimum() if minimum_amount is None else minimum_amount
    now = now or utcnow()
    balances = (select(LedgerEntry.seller_id, func.sum(LedgerEntry.amount).label("balance"))
                .group_by(LedgerEntry.seller_id).having(func.sum(LedgerEntry.amount) > 0).subquery())
    rows = db.session.execute(select(Seller, balances.c.balance).join(balances, balances.c.seller_id == Seller.id)
                              .order_by(balances.c.balance.desc(), Seller.business_name)).all()
    result = Eligibility(minimum=minimum_amount)
    for seller, amount in rows:
        row = SellerBalance(seller, int(amount), hold_reason(seller, int(amount), minimum_amount, now))
        (result.ready if row.ready else result.held).append(row)
    return result


# --- making a batch -----------------------------------------------------------------------------------

@dataclass
class BatchResult:
    batch: PayoutBatch
    skipped: list[str]  # "<seller>: <why>" for each chosen seller left out


def _year(now: datetime) -> int:
    return now.astimezone(JAKARTA).year


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = db.session.scalar(select(PayoutBatch.number).where(PayoutBatch.number.like(prefix + "%"))
                             .order_by(func.length(PayoutBatch.number).desc(), PayoutBatch.number.desc()).limit(1))
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _insert_batch(admin_id: int, now: datetime, attempts: int = 5) -> PayoutBatch:
    """A new draft with the next number of the year. Two admins racing for the same number: the
    second insert fails on the unique number (after the first commits) and takes the next one."""
    for attempt in range(attempts):
        batch = PayoutBatch(number=_next_number(_year(now)), status=BATCH_DRAFT, total=0, created_by_id=admin_id,
                            created_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(batch)
                db.session.flush()
            return batch
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def create_batch(seller_ids, admin_id: int, *, now: datetime | None = None) -> BatchResult:
    """A draft batch with one line per chosen seller for its whole available balance and the bank
    account as it is now. Each seller is locked and checked again (balance, account change): one
    that can no longer be paid is left out with the reason. Audited; commits. An empty batch is
    refused (ValidationFailed) and nothing changes."""
    now = now or utcnow()
    ids = sorted({int(i) for i in seller_ids})
    if not ids:
        raise ValidationFailed(MSG_NO_SELLERS, field="seller_ids")
    minimum_amount = minimum()
    # Lock every chosen seller first, always in id order: two admins never wait on each other in a circle.
    locked = [ledger.lock_seller(seller_id) for seller_id in ids]
    chosen: list[tuple[Seller, int]] = []
    skipped: list[str] = []
    for seller_id, seller in zip(ids, locked, strict=True):
        if seller is None:
            skipped.append(str(_l("penjual #%(id)s tidak ditemukan", id=seller_id)))
            continue
        amount = ledger.balance(seller.id)
        reason = hold_reason(seller, amount, minimum_amount, now)
        if reason:
            skipped.append(f"{seller.business_name}: {reason}")
        else:
            chosen.append((seller, amount))
    if not chosen:
        db.session.rollback()
        detail = "; ".join(skipped)
        raise ValidationFailed(f"{MSG_EMPTY_BATCH} {detail}".strip() if detail else MSG_EMPTY_BATCH)
    batch = _insert_batch(admin_id, now)
    lines = [PayoutLine(batch_id=batch.id, seller_id=seller.id, amount=amount, bank_name=seller.bank_name.strip(),
                        bank_account_number=seller.bank_account_number.strip(),
                        bank_account_name=seller.bank_account_name.strip(), status=LINE_PENDING)
             for seller, amount in chosen]
    db.session.add_all(lines)
    db.session.flush()
    for line in lines:
        ledger.append(line.seller_id, ENTRY_PAYOUT, -line.amount, actor_id=admin_id, payout_line_id=line.id,
                      reason=batch.number)
    batch.total = sum(line.amount for line in lines)
    audit.record("payout_batch.created", batch, actor_id=admin_id,
                 after={"number": batch.number, "status": BATCH_DRAFT, "total": batch.total,
                        "lines": len(lines), "seller_ids": [line.seller_id for line in lines]},
                 reason="; ".join(skipped) or None)
    db.session.commit()
    return BatchResult(batch, skipped)


# --- reading ------------------------------------------------------------------------------------------

@dataclass
class BatchRow:
    batch: PayoutBatch
    lines: int
    paid: int
    failed: int

    @property
    def pending(self) -> int:
        return self.lines - self.paid - self.failed


def recent_batches(limit: int = 50) -> list[BatchRow]:
    """The newest batches with their line counts (one statement)."""
    counts = (select(PayoutLine.batch_id, func.count(PayoutLine.id).label("lines"),
                     func.sum(case((PayoutLine.status == LINE_PAID, 1), else_=0)).label("paid"),
                     func.sum(case((PayoutLine.status == LINE_FAILED, 1), else_=0)).label("failed"))
              .group_by(PayoutLine.batch_id).subquery())
    rows = db.session.execute(
        select(PayoutBatch, counts.c.lines, counts.c.paid, counts.c.failed)
        .outerjoin(counts, counts.c.batch_id == PayoutBatch.id)
        .order_by(PayoutBatch.id.desc()).limit(limit)).all()
    return [BatchRow(batch, int(lines or 0), int(paid or 0), int(failed or 0)) for batch, lines, paid, failed in rows]


def get_batch(batch_id: int, *, lock: bool = False) -> PayoutBatch:
    """The batch with its lines and their sellers; NotFound when unknown. `lock` holds its row
    until the transaction ends (two admins deciding the same batch take turns)."""
    if lock:
        batch = db.session.get(PayoutBatch, batch_id, with_for_update=True, populate_existing=True)
    else:
        batch = db.session.scalar(select(PayoutBatch).where(PayoutBatch.id == batch_id)
                                  .options(selectinload(PayoutBatch.lines).selectinload(PayoutLine.seller)))
    if batch is None:
        raise NotFound(MSG_NOT_FOUND)
    return batch


def line_reference(batch: PayoutBatch, line: PayoutLine) -> str:
    """The transfer's reference for the bank: the batch number and the line's place in it."""
    position = next(i for i, other in enumerate(batch.lines, start=1) if other.id == line.id)
    return f"{batch.number}-{position:04d}"


def references(batch: PayoutBatch) -> dict[int, str]:
    return {line.id: f"{batch.number}-{i:04d}" for i, line in enumerate(batch.lines, start=1)}


# --- the bank file ------------------------------------------------------------------------------------

CSV_HEADER = (_l("Bank"), _l("Nomor rekening"), _l("Nama pemilik rekening"), _l("Jumlah"), _l("Referensi"))


def batch_csv(batch: PayoutBatch) -> bytes:
    """The bulk-transfer file: bank, account number, account name, amount (plain digits),
    reference; a cell Excel would run as a formula gets a "'" in front."""
    refs = references(batch)
    rows = [[line.bank_name, line.bank_account_number, line.bank_account_name, int(line.amount), refs[line.id]]
            for line in batch.lines]
    return table_csv(Table(batch.number, [str(name) for name in CSV_HEADER], rows))


def csv_filename(batch: PayoutBatch) -> str:
    return f"{batch.number.lower()}.csv"


def export_csv(batch_id: int, admin_id: int) -> bytes:
    """The bank file; the first export moves the draft to "exported" (audited, commits). A later
    download gives the same file and changes nothing. A cancelled batch has no file."""
    batch = get_batch(batch_id, lock=True)
    if batch.status == BATCH_CANCELLED:
        db.session.rollback()
        raise InvalidTransition(_l("Batch yang dibatalkan tidak dapat diekspor."))
    if batch.status == BATCH_DRAFT:
        transition("payout_batch", batch, BATCH_EXPORTED, actor_id=admin_id,
                   extra={"number": batch.number, "total": batch.total})
        batch.exported_at = utcnow()
    content = batch_csv(batch)
    db.session.commit()
    return content


# --- the bank's answer ----------------------------------------------------------------------------------

def _clean(text: str | None) -> str:
    return " ".join(str(text or "").split())


def _reference(text: str | None) -> str:
    reference = _clean(text)
    if not reference:
        raise ValidationFailed(MSG_REFERENCE_REQUIRED, field="bank_reference")
    if len(reference) > REFERENCE_MAX:
        raise ValidationFailed(MSG_REFERENCE_LONG, field="bank_reference")
    return reference


def _decidable(batch: PayoutBatch) -> None:
    if batch.status == BATCH_DRAFT:
        raise InvalidTransition(MSG_NOT_EXPORTED)
    if batch.status not in DECIDABLE or all(line.status != LINE_PENDING for line in batch.lines):
        raise InvalidTransition(_l("Batch ini sudah selesai (%(status)s): tidak ada baris yang menunggu hasil "
                                   "transfer.", status=batch_name(batch.status)))


def _line_of(batch: PayoutBatch, line_id: int) -> PayoutLine:
    line = db.session.get(PayoutLine, line_id, populate_existing=True)
    if line is None or line.batch_id != batch.id:
        raise NotFound(MSG_LINE_NOT_FOUND)
    return line


def _settle(batch: PayoutBatch, admin_id: int) -> None:
    """The batch follows its lines: some still waiting → partially_paid; all decided → paid (all
    paid), failed (none paid) or partially_paid."""
    statuses = [line.status for line in batch.lines]
    if LINE_PENDING in statuses:
        target = BATCH_PARTIALLY_PAID
    elif all(status == LINE_PAID for status in statuses):
        target = BATCH_PAID
    elif LINE_PAID not in statuses:
        target = BATCH_FAILED
    else:
        target = BATCH_PARTIALLY_PAID
    if LINE_PENDING not in statuses:
        batch.closed_at = utcnow()
    if target != batch.status:
        transition("payout_batch", batch, target, actor_id=admin_id,
                   extra={"paid": statuses.count(LINE_PAID), "failed": statuses.count(LINE_FAILED),
                          "pending": statuses.count(LINE_PENDING)})


def _pay(batch: PayoutBatch, line: PayoutLine, reference: str, admin_id: int, now: datetime) -> None:
    line.status, line.bank_reference, line.decided_by_id, line.decided_at = LINE_PAID, reference, admin_id, now
    audit.record("payout_line.paid", line, actor_id=admin_id, before={"status": LINE_PENDING},
                 after={"status": LINE_PAID, "bank_reference": reference, "batch": batch.number,
                        "seller_id": line.seller_id, "amount": line.amount})
    notifications.notify(
        line.seller.user, "payout.paid",
        _l("Dana %(amount)s sudah ditransfer", amount=rupiah(line.amount)),
        _l("Pencairan %(reference)s sebesar %(amount)s ke rekening %(bank)s %(account)s a.n. %(name)s sudah "
           "dibayar. Referensi bank: %(bank_reference)s.", reference=line_reference(batch, line),
           amount=rupiah(line.amount), bank=line.bank_name, account=_masked(line.bank_account_number),
           name=line.bank_account_name, bank_reference=reference),
        link=BALANCE_LINK)


def _masked(number: str) -> str:
    return "••••" + number[-4:] if len(number) > 4 else number


def _open_line(batch_id: int, line_id: int) -> tuple[PayoutBatch, PayoutLine]:
    batch = get_batch(batch_id, lock=True)
    line = _line_of(batch, line_id)
    _decidable(batch)
    if line.status != LINE_PENDING:
        raise InvalidTransition(_l("Baris ini sudah ditandai %(status)s. Hasil transfer tidak dapat diubah lagi.",
                                   status=line_name(line.status)))
    return batch, line


def _refused(call):
    """Run a decision; on any refusal roll back (releasing the batch lock) and re-raise."""
    try:
        return call()
    except Exception:
        db.session.rollback()
        raise


def mark_line_paid(line_id: int, bank_reference: str | None, admin_id: int, *, batch_id: int | None = None) -> PayoutLine:
    """The bank paid this line. Its seller is told. Audited; commits."""
    def run():
        batch, line = _open_line(batch_id if batch_id is not None else _batch_of(line_id), line_id)
        reference = _reference(bank_reference)
        _pay(batch, line, reference, admin_id, utcnow())
        _settle(batch, admin_id)
        db.session.commit()
        return line
    return _refused(run)


def mark_line_failed(line_id: int, reason: str | None, admin_id: int, *, batch_id: int | None = None) -> PayoutLine:
    """The bank could not pay this line: the amount returns to the seller's balance (a
    payout_reversal entry) and the seller is told why. Reason required. Audited; commits."""
    def run():
        batch, line = _open_line(batch_id if batch_id is not None else _batch_of(line_id), line_id)
        text = _clean(reason)
        if not text:
            raise ValidationFailed(MSG_FAILURE_REASON_REQUIRED, field="reason")
        _fail(batch, line, text[:REASON_MAX], admin_id, notify=True)
        _settle(batch, admin_id)
        db.session.commit()
        return line
    return _refused(run)


def _fail(batch: PayoutBatch, line: PayoutLine, reason: str, admin_id: int, *, notify: bool) -> None:
    ledger.lock_seller(line.seller_id)
    ledger.append(line.seller_id, ENTRY_PAYOUT_REVERSAL, line.amount, actor_id=admin_id, payout_line_id=line.id,
                  reason=reason)
    line.status, line.failure_reason, line.decided_by_id, line.decided_at = LINE_FAILED, reason, admin_id, utcnow()
    audit.record("payout_line.failed", line, actor_id=admin_id, before={"status": LINE_PENDING},
                 after={"status": LINE_FAILED, "batch": batch.number, "seller_id": line.seller_id,
                        "amount": line.amount}, reason=reason)
    if notify:
        notifications.notify(
            line.seller.user, "payout.failed",
            _l("Transfer dana %(amount)s gagal", amount=rupiah(line.amount)),
            _l("Pencairan %(reference)s ke rekening %(bank)s %(account)s gagal: %(reason)s. Dananya sudah kembali ke "
               "saldo Anda dan ikut pencairan berikutnya. Periksa rekening bank Anda.",
               reference=line_reference(batch, line), bank=line.bank_name, account=_masked(line.bank_account_number),
               reason=reason),
            link=BALANCE_LINK)


def _batch_of(line_id: int) -> int:
    batch_id = db.session.scalar(select(PayoutLine.batch_id).where(PayoutLine.id == line_id))
    if batch_id is None:
        raise NotFound(MSG_LINE_NOT_FOUND)
    return batch_id


def mark_batch_paid(batch_id: int, reference: str | None, admin_id: int) -> int:
    """Every line still waiting was paid, under one bank reference. Returns how many lines;
    refused when none waits (a batch marked paid twice). Audited; commits."""
    def run():
        batch = get_batch(batch_id, lock=True)
        _decidable(batch)
        bank_reference = _reference(reference)
        pending = [line for line in batch.lines if line.status == LINE_PENDING]
        now = utcnow()
        for line in pending:
            _pay(batch, line, bank_reference, admin_id, now)
        _settle(batch, admin_id)
        db.session.commit()
        return len(pending)
    return _refused(run)


def cancel_draft(batch_id: int, admin_id: int) -> PayoutBatch:
    """Call off a draft the bank never saw: every line's money returns to its seller's balance.
    Audited; commits."""
    def run():
        batch = get_batch(batch_id, lock=True)
        if batch.status != BATCH_DRAFT:
            raise InvalidTransition(MSG_ONLY_DRAFT_CANCEL)
        reason = str(CANCEL_REASON)
        for line in sorted(batch.lines, key=lambda item: item.seller_id):
            _fail(batch, line, reason, admin_id, notify=False)
        transition("payout_batch", batch, BATCH_CANCELLED, actor_id=admin_id, extra={"number": batch.number})
        batch.closed_at = utcnow()
        db.session.commit()
        return batch
    return _refused(run)


# --- the Dinas' view of balances --------------------------------------------------------------------------

def top_balances(limit: int = 20) -> list[tuple[Seller, int]]:
    """The sellers holding the most money on the platform (one grouped statement)."""
    balances = (select(LedgerEntry.seller_id, func.sum(LedgerEntry.amount).label("balance"))
                .group_by(LedgerEntry.seller_id).having(func.sum(LedgerEntry.amount) != 0).subquery())
    rows = db.session.execute(select(Seller, balances.c.balance).join(balances, balances.c.seller_id == Seller.id)
                              .order_by(balances.c.balance.desc(), Seller.id).limit(limit)).all()
    return [(seller, int(amount)) for seller, amount in rows]


@dataclass
class Statement:
    seller: Seller
    balance: int
    entries: list[LedgerEntry]


def statement(seller_id: int, limit: int = 20) -> Statement:
    """One seller's balance and latest entries (for the adjustment page); NotFound when unknown."""
    seller = db.session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(_l("Penjual tidak ditemukan."))
    entries = list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.seller_id == seller_id)
                                      .order_by(LedgerEntry.id.desc()).limit(limit)))
    return Statement(seller, ledger.balance(seller_id), entries)
