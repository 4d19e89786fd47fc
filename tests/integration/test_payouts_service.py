"""Payouts: who can be paid (and why the others are held), batches that take the money out of
the balance at once — never twice, even with two admins at the same moment — the bank file,
the bank's answer per line or per batch, failed lines that give the money back, cancelled
drafts, and books that reconcile through all of it."""

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.formatting import rupiah
from catalog.models import AuditEvent, LedgerEntry, Notification, PayoutBatch, PayoutLine
from catalog.models.base import utcnow
from catalog.services import audit, ledger, payouts
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from tests.factories import gen_product, gen_user
from tests.integration.test_shopper_orders import complete, courier_seller, paid
from tests.payouts_factories import banked_seller, entries, gen_admin
from tests.querycount import count_queries


@pytest.fixture
def admin(app):
    return gen_admin()


def actions(prefix: str) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like(prefix + "%"))
                                   .order_by(AuditEvent.id)))


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def exported_batch(admin, *sellers):
    batch = payouts.create_batch([s.id for s in sellers], admin.id).batch
    payouts.export_csv(batch.id, admin.id)
    return batch


# --- who can be paid ------------------------------------------------------------------------------------

def test_sellers_are_listed_ready_or_held_with_the_reason(app, admin):
    ready = banked_seller(120_000, admin_id=admin.id, business_name="Keripik Bu Siti")
    small = banked_seller(20_000, admin_id=admin.id, business_name="Sambal Pak Eko")
    no_bank = banked_seller(80_000, admin_id=admin.id, bank_account_number="", business_name="Batik Tanpa Rekening")
    changed = banked_seller(90_000, admin_id=admin.id, business_name="Kopi Rekening Baru")
    suspended = banked_seller(70_000, admin_id=admin.id, business_name="Toko Dibekukan")
    banked_seller(0, business_name="Belum Ada Saldo")
    changed.bank_account_changed_at = utcnow() - timedelta(hours=2)
    suspended.status = "suspended"
    db.session.commit()

    with count_queries(app) as queries:
        listing = payouts.eligible_sellers()
    assert queries.count <= 2  # one grouped query for every balance, whatever the number of sellers
    assert listing.minimum == 50_000
    assert [(row.seller.id, row.balance) for row in listing.ready] == [(ready.id, 120_000)]
    held = {row.seller.id: row.reason for row in listing.held}
    assert set(held) == {small.id, no_bank.id, changed.id, suspended.id}
    assert held[small.id] == "saldo di bawah minimum " + rupiah(50_000)
    assert "rekening bank belum lengkap" in held[no_bank.id]
    assert held[changed.id].startswith("rekening baru diubah, dapat dicairkan mulai ")
    assert "tidak terverifikasi" in held[suspended.id]
    assert listing.ready_total == 120_000


def test_the_minimum_comes_from_the_config(app, admin):
    seller = banked_seller(20_000, admin_id=admin.id)
    app.config["PAYOUT_MINIMUM"] = 10_000
    assert [row.seller.id for row in payouts.eligible_sellers().ready] == [seller.id]


# --- making a batch -------------------------------------------------------------------------------------

def test_a_batch_takes_each_whole_balance_out_at_once_with_the_bank_account_snapshot(app, admin):
    a = banked_seller(150_000, admin_id=admin.id, bank_name="BCA", bank_account_number="5271234567",
                      bank_account_name="Siti Rahmawati")
    b = banked_seller(75_500, admin_id=admin.id)
    result = payouts.create_batch([b.id, a.id, a.id], admin.id)
    batch = result.batch
    year = utcnow().year
    assert result.skipped == []
    assert batch.number == f"CAIR-{year}-0001" and batch.status == "draft" and batch.total == 225_500
    assert [(line.seller_id, line.amount, line.status) for line in batch.lines] == [
        (a.id, 150_000, "pending"), (b.id, 75_500, "pending")]
    assert (batch.lines[0].bank_name, batch.lines[0].bank_account_number,
            batch.lines[0].bank_account_name) == ("BCA", "5271234567", "Siti Rahmawati")
    assert entries(a.id)[-1] == ("payout", -150_000, 0)
    assert ledger.balance(a.id) == ledger.balance(b.id) == 0
    payout_entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "payout",
                                                               LedgerEntry.seller_id == a.id))
    assert payout_entry.payout_line_id == batch.lines[0].id
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payout_batch.created"))
    assert created.actor_id == admin.id and created.after["total"] == 225_500
    assert actions("ledger.payout") == ["ledger.payout", "ledger.payout"]

    # The bank account changes later: the line keeps what was sent to the bank.
    a.bank_account_number = "9999999999"
    db.session.commit()
    assert db.session.get(PayoutLine, batch.lines[0].id).bank_account_number == "5271234567"

    # The money is gone from the balance: a second batch has nothing to pay.
    with pytest.raises(ValidationFailed, match="tidak ada penjual"):
        payouts.create_batch([a.id, b.id], admin.id)
    c = banked_seller(60_000, admin_id=admin.id)
    assert payouts.create_batch([c.id], admin.id).batch.number == f"CAIR-{year}-0002"


def test_an_empty_batch_is_refused_and_changes_nothing(app, admin):
    low = banked_seller(10_000, admin_id=admin.id, business_name="Usaha Kecil Sekali")
    with pytest.raises(ValidationFailed, match="minimal satu penjual"):
        payouts.create_batch([], admin.id)
    with pytest.raises(ValidationFailed, match="Usaha Kecil Sekali: saldo di bawah minimum"):
        payouts.create_batch([low.id], admin.id)
    with pytest.raises(ValidationFailed, match="tidak ditemukan"):
        payouts.create_batch([987_654], admin.id)
    assert db.session.scalar(select(func.count(PayoutBatch.id))) == 0
    assert entries(low.id) == [("adjustment", 10_000, 10_000)]


def test_a_balance_that_dropped_after_the_listing_is_left_out(app, admin):
    """A payout above the available balance cannot happen: the batch re-reads the balance under
    the lock, and the ledger itself refuses a debit below zero."""
    keeps = banked_seller(200_000, admin_id=admin.id)
    drops = banked_seller(100_000, admin_id=admin.id, business_name="Saldo Turun")
    listed = [row.seller.id for row in payouts.eligible_sellers().ready]
    assert set(listed) == {keeps.id, drops.id}
    ledger.adjust(drops.id, -70_000, "Pengembalian dana pembeli di luar sistem", actor_id=admin.id)

    result = payouts.create_batch(listed, admin.id)
    assert [line.seller_id for line in result.batch.lines] == [keeps.id]
    assert result.skipped and result.skipped[0].startswith("Saldo Turun: saldo di bawah minimum")
    assert ledger.balance(drops.id) == 30_000

    with pytest.raises(ValidationFailed, match="negatif"):
        ledger.append(drops.id, "payout", -30_001, actor_id=admin.id)
    db.session.rollback()
    assert ledger.balance(drops.id) == 30_000


def test_a_bank_account_change_right_before_a_payout_holds_the_seller_for_24_hours(app, admin):
    seller = banked_seller(300_000, admin_id=admin.id, business_name="Rekening Diganti")
    seller.bank_account_number = "1234000099"
    seller.bank_account_changed_at = utcnow()
    db.session.commit()

    listing = payouts.eligible_sellers()
    assert listing.ready == [] and "rekening baru diubah" in listing.held[0].reason
    with pytest.raises(ValidationFailed, match="Rekening Diganti: rekening baru diubah"):
        payouts.create_batch([seller.id], admin.id)
    assert ledger.balance(seller.id) == 300_000 and db.session.scalar(select(func.count(PayoutBatch.id))) == 0

    later = utcnow() + timedelta(hours=24, minutes=1)
    assert [row.seller.id for row in payouts.eligible_sellers(now=later).ready] == [seller.id]
    assert payouts.create_batch([seller.id], admin.id, now=later).batch.lines[0].bank_account_number == "1234000099"


def _race(app, choices: list[list[int]], admin_id: int, *, threads: bool) -> tuple[list[str], list[str]]:
    """Each admin creates a batch from its own choice of sellers, each in its own app context and
    session: at the same moment (threads, PostgreSQL) or one after the other (SQLite)."""
    made: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(choices)) if threads else None

    def run(ids: list[int]) -> None:
        with app.app_context():
            if barrier:
                barrier.wait(timeout=60)
            try:
                batch = payouts.create_batch(ids, admin_id).batch
                with lock:
                    made.append(batch.number)
            except ValidationFailed as error:
                with lock:
                    refused.append(str(error.message))
            finally:
                db.session.remove()

    if threads:
        workers = [threading.Thread(target=run, args=(ids,)) for ids in choices]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
    else:
        for ids in choices:
            run(ids)
    return made, refused


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_two_admins_making_batches_at_once_never_pay_the_same_money_twice(app, admin, order):
    s1 = banked_seller(100_000, admin_id=admin.id)
    s2 = banked_seller(250_000, admin_id=admin.id)
    s3 = banked_seller(80_000, admin_id=admin.id)
    s4 = banked_seller(60_000, admin_id=admin.id)
    i1, i2, i3, i4, admin_id = s1.id, s2.id, s3.id, s4.id, admin.id
    db.session.remove()
    on_postgres = db.engine.dialect.name == "postgresql"
    # Admin A and admin B both picked s2; A also s1, B also s3; a third admin picked s1, s2 and s4.
    choices = {"a": [i1, i2], "b": [i3, i2]}
    plan = [choices[key] for key in order] + [[i1, i2, i4]]
    made, refused = _race(app, plan, admin_id, threads=on_postgres)

    # Which admin gets which seller depends on who locks first (on SQLite: the order); the first
    # admin's batch may even end up empty (refused) when the third took both its sellers.
    assert len(made) + len(refused) == 3 and len(set(made)) == len(made) >= 2
    assert all("tidak ada penjual" in message for message in refused)
    lines = db.session.execute(select(PayoutLine.seller_id, func.count(), func.sum(PayoutLine.amount))
                               .group_by(PayoutLine.seller_id)).all()
    assert sorted(lines) == sorted([(i1, 1, 100_000), (i2, 1, 250_000), (i3, 1, 80_000), (i4, 1, 60_000)])
    for seller_id in (i1, i2, i3, i4):
        assert ledger.balance(seller_id) == 0
        assert [kind for kind, *_ in entries(seller_id)] == ["adjustment", "payout"]
    assert ledger.verify() == [] and ledger.reconcile().difference == 0
    assert audit.verify_chain().ok


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_two_admins_choosing_the_same_sellers_at_once_make_one_batch(app, admin, order):
    sellers = [banked_seller(90_000 + n * 1_000, admin_id=admin.id) for n in range(3)]
    ids, admin_id = [s.id for s in sellers], admin.id
    db.session.remove()
    made, refused = _race(app, [ids, list(reversed(ids))], admin_id, threads=db.engine.dialect.name == "postgresql")
    assert len(made) == 1 and len(refused) == 1 and "tidak ada penjual" in refused[0]
    assert db.session.scalar(select(func.count(PayoutLine.id))) == 3
    assert db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "payout")) == 3
    assert ledger.verify() == []


# --- the bank file --------------------------------------------------------------------------------------

def test_the_bank_file_has_one_row_per_line_and_is_safe_to_open_in_excel(app, admin):
    a = banked_seller(150_000, admin_id=admin.id, bank_name="BRI", bank_account_number="002101000123456",
                      bank_account_name="=HYPERLINK(\"http://x\")")
    b = banked_seller(99_000, admin_id=admin.id, bank_name="Bank Mandiri", bank_account_number="1370012345678",
                      bank_account_name="@Koperasi Sejahtera")
    batch = payouts.create_batch([a.id, b.id], admin.id).batch
    number = batch.number

    content = payouts.export_csv(batch.id, admin.id)
    rows = csv_rows(content)
    assert rows[0] == ["Bank", "Nomor rekening", "Nama pemilik rekening", "Jumlah", "Referensi"]
    assert rows[1] == ["BRI", "002101000123456", "'=HYPERLINK(\"http://x\")", "150000", f"{number}-0001"]
    assert rows[2] == ["Bank Mandiri", "1370012345678", "'@Koperasi Sejahtera", "99000", f"{number}-0002"]
    assert len(rows) == 3
    batch = db.session.get(PayoutBatch, batch.id)
    assert batch.status == "exported" and batch.exported_at is not None
    assert actions("payout_batch.exported") == ["payout_batch.exported"]

    # Downloaded again: the same file, no second transition.
    assert payouts.export_csv(batch.id, admin.id) == content
    assert actions("payout_batch.exported") == ["payout_batch.exported"]
    with pytest.raises(NotFound):
        payouts.export_csv(987_654, admin.id)


# --- the bank's answer ----------------------------------------------------------------------------------

def test_lines_paid_and_failed_settle_the_batch_and_a_failed_line_gives_the_money_back(app, admin):
    a = banked_seller(150_000, admin_id=admin.id)
    b = banked_seller(80_000, admin_id=admin.id)
    batch = exported_batch(admin, a, b)
    line_a, line_b = batch.lines

    payouts.mark_line_paid(line_a.id, "  TRF 20260301 0001 ", admin.id, batch_id=batch.id)
    line_a = db.session.get(PayoutLine, line_a.id)
    assert (line_a.status, line_a.bank_reference, line_a.decided_by_id) == ("paid", "TRF 20260301 0001", admin.id)
    assert db.session.get(PayoutBatch, batch.id).status == "partially_paid"

    with pytest.raises(ValidationFailed, match="alasan"):
        payouts.mark_line_failed(line_b.id, "   ", admin.id, batch_id=batch.id)
    assert db.session.get(PayoutLine, line_b.id).status == "pending" and ledger.balance(b.id) == 0

    payouts.mark_line_failed(line_b.id, "Nomor rekening tidak ditemukan", admin.id, batch_id=batch.id)
    assert entries(b.id)[-1] == ("payout_reversal", 80_000, 80_000)
    assert ledger.balance(b.id) == 80_000 and ledger.balance(a.id) == 0
    batch = db.session.get(PayoutBatch, batch.id)
    assert batch.status == "partially_paid" and batch.closed_at is not None
    assert db.session.get(PayoutLine, line_b.id).failure_reason == "Nomor rekening tidak ditemukan"
    assert actions("payout_line.") == ["payout_line.paid", "payout_line.failed"]
    assert actions("payout_batch.partially_paid") == ["payout_batch.partially_paid"]
    assert actions("ledger.payout_reversal") == ["ledger.payout_reversal"]

    notes = {n.user_id: n for n in db.session.scalars(select(Notification).where(Notification.kind.like("payout.%")))}
    assert notes[a.user_id].kind == "payout.paid" and "TRF 20260301 0001" in notes[a.user_id].body
    assert notes[b.user_id].kind == "payout.failed" and "Nomor rekening tidak ditemukan" in notes[b.user_id].body

    # Decided lines stay decided; the finished batch takes no more answers.
    with pytest.raises(InvalidTransition):
        payouts.mark_line_paid(line_b.id, "TRF-2", admin.id, batch_id=batch.id)
    with pytest.raises(InvalidTransition):
        payouts.mark_batch_paid(batch.id, "TRF-3", admin.id)
    assert ledger.balance(b.id) == 80_000

    # The returned money goes out in the next batch.
    assert payouts.create_batch([b.id], admin.id).batch.total == 80_000


def test_a_batch_marked_paid_twice_is_refused_and_changes_nothing(app, admin):
    a = banked_seller(150_000, admin_id=admin.id)
    b = banked_seller(60_000, admin_id=admin.id)
    batch = exported_batch(admin, a, b)
    with pytest.raises(ValidationFailed, match="referensi"):
        payouts.mark_batch_paid(batch.id, " ", admin.id)
    assert payouts.mark_batch_paid(batch.id, "BRI-BULK-778812", admin.id) == 2
    batch = db.session.get(PayoutBatch, batch.id)
    assert batch.status == "paid" and {line.bank_reference for line in batch.lines} == {"BRI-BULK-778812"}
    events = len(actions(""))

    with pytest.raises(InvalidTransition, match="sudah selesai"):
        payouts.mark_batch_paid(batch.id, "BRI-BULK-778812", admin.id)
    assert len(actions("")) == events
    assert db.session.get(PayoutBatch, batch.id).status == "paid"
    assert actions("payout_batch.paid") == ["payout_batch.paid"]


def test_all_lines_failed_fail_the_batch(app, admin):
    a = banked_seller(150_000, admin_id=admin.id)
    batch = exported_batch(admin, a)
    payouts.mark_line_failed(batch.lines[0].id, "Rekening ditutup", admin.id)
    assert db.session.get(PayoutBatch, batch.id).status == "failed"
    assert ledger.balance(a.id) == 150_000


def test_answers_are_refused_for_a_draft_another_batch_or_unknown_ids(app, admin):
    a = banked_seller(150_000, admin_id=admin.id)
    b = banked_seller(70_000, admin_id=admin.id)
    draft = payouts.create_batch([a.id], admin.id).batch
    other = exported_batch(admin, b)
    before = len(actions(""))

    with pytest.raises(InvalidTransition, match="belum diekspor"):
        payouts.mark_line_paid(draft.lines[0].id, "TRF-1", admin.id, batch_id=draft.id)
    with pytest.raises(InvalidTransition, match="belum diekspor"):
        payouts.mark_batch_paid(draft.id, "TRF-1", admin.id)
    with pytest.raises(InvalidTransition, match="belum diekspor"):
        payouts.mark_line_failed(draft.lines[0].id, "Salah", admin.id, batch_id=draft.id)
    with pytest.raises(NotFound):
        payouts.mark_line_paid(draft.lines[0].id, "TRF-1", admin.id, batch_id=other.id)  # a line of another batch
    with pytest.raises(NotFound):
        payouts.mark_line_paid(987_654, "TRF-1", admin.id)
    with pytest.raises(NotFound):
        payouts.mark_batch_paid(987_654, "TRF-1", admin.id)
    with pytest.raises(NotFound):
        payouts.cancel_draft(987_654, admin.id)
    assert len(actions("")) == before
    assert {line.status for line in db.session.scalars(select(PayoutLine))} == {"pending"}


def test_a_draft_can_be_cancelled_and_the_money_returns_but_not_once_exported(app, admin):
    a = banked_seller(150_000, admin_id=admin.id)
    b = banked_seller(90_000, admin_id=admin.id)
    draft = payouts.create_batch([a.id, b.id], admin.id).batch
    payouts.cancel_draft(draft.id, admin.id)
    draft = db.session.get(PayoutBatch, draft.id)
    assert draft.status == "cancelled" and {line.status for line in draft.lines} == {"failed"}
    assert ledger.balance(a.id) == 150_000 and ledger.balance(b.id) == 90_000
    assert actions("payout_batch.cancelled") == ["payout_batch.cancelled"]
    with pytest.raises(InvalidTransition):
        payouts.cancel_draft(draft.id, admin.id)
    with pytest.raises(InvalidTransition):
        payouts.export_csv(draft.id, admin.id)

    exported = exported_batch(admin, a)
    with pytest.raises(InvalidTransition, match="draf"):
        payouts.cancel_draft(exported.id, admin.id)
    assert ledger.balance(a.id) == 0


def test_the_books_reconcile_through_the_whole_payout_flow(app, admin):
    a = courier_seller(scale="menengah", bank_name="BNI", bank_account_number="0123456789",
                       bank_account_name="CV Maju")
    b = courier_seller(scale="mikro", bank_name="BRI", bank_account_number="0021010001",
                       bank_account_name="Bu Siti")
    pa = gen_product(seller=a, price=80_000, stock=20)
    pb = gen_product(seller=b, price=30_000, stock=20)
    db.session.commit()
    complete(paid(gen_user(), (pa, 2), (pb, 2)).orders[0])
    group = paid(gen_user(), (pb, 3))
    complete(group.orders[0])
    complete(paid(gen_user(), (pa, 1)).orders[0])

    def balanced():
        assert ledger.reconcile().difference == 0 and ledger.verify() == []

    balanced()
    batch = payouts.create_batch([a.id, b.id], admin.id).batch
    assert batch.total > 0
    balanced()
    payouts.export_csv(batch.id, admin.id)
    line_a, line_b = sorted(batch.lines, key=lambda line: line.seller_id != a.id)
    payouts.mark_line_paid(line_a.id, "TRF-A", admin.id)
    balanced()
    payouts.mark_line_failed(line_b.id, "Nomor rekening tidak ditemukan", admin.id)
    balanced()
    books = ledger.reconcile()
    assert books.paid_out == line_a.amount
    draft = payouts.create_batch([b.id], admin.id).batch
    balanced()
    payouts.cancel_draft(draft.id, admin.id)
    balanced()
    assert ledger.balance(b.id) == line_b.amount
    assert audit.verify_chain().ok
