"""Government buying through the services, without HTTP: procurement cart → purchase request →
(direct order or PPK approval with the budget) → Surat Pesanan per seller → seller's answer →
deliveries → BAST → invoice with the tax preview → the Bendahara's payment → rating; the request
follows its orders, every move lands in the audit trail, and each refusal changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, Budget, PurchaseOrder
from catalog.services.audit import verify_chain
from catalog.services.certificates import jakarta_today
from catalog.services.errors import (
    BudgetExceeded,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from catalog.services.procurement import cart, orders, requests
from tests.factories import gen_agency_team, gen_ordered_request, gen_product, gen_seller


@pytest.fixture
def team(app):
    agency, pp, ppk, bendahara = gen_agency_team(code="DISKOMINFO-TGSL", name="Dinas Kominfo Tangsel")
    db.session.commit()
    return agency, pp, ppk, bendahara


@pytest.fixture
def goods(app):
    mikro = gen_seller(scale="mikro", business_name="Kopi Pamulang")
    menengah = gen_seller(scale="menengah", business_name="Konveksi Besar", is_pkp=True)
    kopi = gen_product(seller=mikro, title="Kopi Robusta 250gr", price=50_000, stock=100, tkdn_pct=60)
    kaos = gen_product(seller=menengah, title="Kaos Seragam", price=120_000, stock=500)
    db.session.commit()
    return kopi, kaos


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_a_direct_order_issues_one_surat_pesanan_per_seller_numbered_per_agency_and_year(team, goods):
    agency, pp, ppk, _ = team
    kopi, kaos = goods
    pr = gen_ordered_request(pp, ppk, [(kopi, 10), (kaos, 20)])

    assert pr.status == "ordered" and pr.total == 10 * 50_000 + 20 * 120_000
    year = jakarta_today().year
    assert pr.number == f"PR/DISKOMINFO-TGSL/{year}/0001"
    numbers = sorted(po.number for po in pr.purchase_orders)
    assert numbers == [f"SP/DISKOMINFO-TGSL/{year}/0001", f"SP/DISKOMINFO-TGSL/{year}/0002"]
    by_seller = {po.seller.business_name: po for po in pr.purchase_orders}
    assert by_seller["Kopi Pamulang"].total == 500_000 and by_seller["Kopi Pamulang"].counts_as_umkk
    assert not by_seller["Konveksi Besar"].counts_as_umkk  # menengah: not UMK-K
    assert cart.cart_for(pp) is None  # the cart became the request
    assert verify_chain().ok


def test_above_200_juta_the_pp_cannot_order_alone_and_the_ppk_approves(team, goods):
    agency, pp, ppk, _ = team
    kopi, _kaos = goods
    cart.add(pp, kopi.variants[0].id, 4_001)  # Rp200.050.000
    pr = requests.create_from_cart(pp, title="Kopi setahun", rup_code="12345678", needed_by=None,
                                   delivery_address="Kantor", delivery_kecamatan_code=None, notes="", ppk_id=ppk.id)
    with pytest.raises(ValidationFailed, match="disetujui PPK"):
        requests.submit(pr, pp, direct=True)
    assert pr.status == "draft" and not pr.purchase_orders

    requests.submit(pr, pp, direct=False)
    assert pr.status == "submitted"
    with pytest.raises(PermissionDenied):
        requests.approve(pr, pp)  # a PP is not a PPK
    requests.approve(pr, ppk, reason="Sesuai RUP")
    assert pr.status == "ordered" and pr.decided_by_id == ppk.id and len(pr.purchase_orders) == 1


def test_approval_over_the_remaining_budget_is_refused_or_warned_by_agency_setting(team, goods):
    agency, pp, ppk, _ = team
    kopi, _ = goods
    budget = db.session.scalar(select(Budget).where(Budget.agency_id == agency.id))
    budget.pagu = 1_000_000
    db.session.commit()
    cart.add(pp, kopi.variants[0].id, 30)  # Rp1.500.000
    pr = requests.create_from_cart(pp, title="Kopi rapat", rup_code=None, needed_by=None, delivery_address="Kantor",
                                   delivery_kecamatan_code=None, notes="", ppk_id=ppk.id)
    requests.submit(pr, pp, direct=False)
    before = audit_count()
    with pytest.raises(BudgetExceeded, match="tidak cukup"):
        requests.approve(pr, ppk)
    db.session.rollback()
    assert pr.status == "submitted" and audit_count() == before
    assert db.session.scalar(select(func.count(PurchaseOrder.id))) == 0

    budget.overspend_policy = "warn"
    db.session.commit()
    requests.approve(pr, ppk)
    assert pr.status == "ordered" and pr.over_budget


def test_the_whole_way_from_surat_pesanan_to_closed(team, goods):
    agency, pp, ppk, bendahara = team
    kopi, _ = goods
    pr = gen_ordered_request(pp, ppk, [(kopi, 100)])  # Rp5.000.000
    po = pr.purchase_orders[0]
    seller = po.seller
    line = po.lines[0]

    with pytest.raises(InvalidTransition):
        orders.issue_invoice(po, seller, actor_id=seller.user_id)  # before anything: no invoice
    orders.accept(po, seller, actor_id=seller.user_id)
    orders.record_delivery(po, seller, actor_id=seller.user_id, quantities={line.id: 60}, note="Kurir toko")
    assert po.status == "shipped" and pr.status == "shipped" and line.quantity_shipped == 60

    orders.record_receipt(po, ppk, number="BAST/001/2026", received_on=None, quantities={line.id: 60})
    assert po.status == "shipped" and line.quantity_received == 60  # partial: not received yet
    with pytest.raises(InvalidTransition, match="setelah PPK mencatat BAST"):
        orders.issue_invoice(po, seller, actor_id=seller.user_id)

    orders.record_delivery(po, seller, actor_id=seller.user_id, quantities={line.id: 40})
    orders.record_receipt(po, ppk, number="BAST/002/2026", received_on=None, quantities={line.id: 40})
    assert po.status == "received" and pr.status == "received"

    invoice = orders.issue_invoice(po, seller, actor_id=seller.user_id)
    # Not PKP: no PPN; above Rp2 juta: PPh 22 1.5 % of Rp5.000.000.
    assert (invoice.total, invoice.ppn, invoice.pph22, invoice.net) == (5_000_000, 0, 75_000, 4_925_000)
    assert invoice.due_on == invoice.issued_on + timedelta(days=30) and pr.status == "invoiced"

    with pytest.raises(PermissionDenied):
        orders.record_payment(invoice, ppk, method="transfer", reference="TRX-1", paid_on=None)
    orders.record_payment(invoice, bendahara, method="transfer", reference="TRX-1", paid_on=None)
    assert invoice.status == "paid" and invoice.payment.amount == 4_925_000 and po.status == "paid"
    before = audit_count()
    with pytest.raises(InvalidTransition, match="sudah dibayar"):
        orders.record_payment(invoice, bendahara, method="transfer", reference="TRX-2", paid_on=None)
    assert audit_count() == before

    assert pr.status == "paid"
    orders.rate(po, ppk, on_time=5, quantity=5, quality=4, comment="Tepat waktu")
    assert pr.status == "closed"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.agency_id == agency.id)).all()
    assert {"purchase_request.ordered", "purchase_order.accepted", "purchase_order.bast", "purchase_order.received",
            "invoice.issued", "invoice.paid", "purchase_request.closed"} <= set(actions)
    assert verify_chain().ok


def test_a_bast_with_more_than_ordered_is_refused_and_changes_nothing(team, goods):
    _, pp, ppk, _ = team
    kopi, _ = goods
    pr = gen_ordered_request(pp, ppk, [(kopi, 10)])
    po = pr.purchase_orders[0]
    orders.accept(po, po.seller, actor_id=po.seller.user_id)
    before = audit_count()
    with pytest.raises(ValidationFailed, match="tidak boleh melebihi pesanan"):
        orders.record_receipt(po, ppk, number="BAST/9", received_on=None, quantities={po.lines[0].id: 11})
    db.session.rollback()
    assert po.lines[0].quantity_received == 0 and not po.receipts and audit_count() == before


def test_a_pkp_seller_invoice_shows_ppn_inside_the_price_and_a_small_one_no_pph22(team, goods):
    _, pp, ppk, bendahara = team
    _, kaos = goods  # PKP seller
    pr = gen_ordered_request(pp, ppk, [(kaos, 10)])  # Rp1.200.000: at or below Rp2 juta
    po = pr.purchase_orders[0]
    orders.accept(po, po.seller, actor_id=po.seller.user_id)
    orders.record_receipt(po, ppk, number="BAST/1", received_on=None, quantities={po.lines[0].id: 10})
    invoice = orders.issue_invoice(po, po.seller, actor_id=po.seller.user_id)
    assert invoice.dpp == 1_081_081 and invoice.ppn == 118_919 and invoice.pph22 == 0
    assert invoice.net == 1_200_000 - 118_919


def test_a_declined_order_leaves_the_rest_and_all_declined_cancels_the_request(team, goods):
    _, pp, ppk, _ = team
    kopi, kaos = goods
    pr = gen_ordered_request(pp, ppk, [(kopi, 10), (kaos, 10)])
    first, second = pr.purchase_orders
    with pytest.raises(ValidationFailed, match="alasan"):
        orders.decline(first, first.seller, actor_id=first.seller.user_id, reason=" ")
    orders.decline(first, first.seller, actor_id=first.seller.user_id, reason="Stok bahan habis")
    assert pr.status == "ordered"
    orders.decline(second, second.seller, actor_id=second.seller.user_id, reason="Tidak sanggup")
    assert pr.status == "cancelled"


def test_another_agency_or_another_seller_never_reaches_the_objects(team, goods):
    _, pp, ppk, _ = team
    kopi, kaos = goods
    pr = gen_ordered_request(pp, ppk, [(kopi, 10)])
    po = pr.purchase_orders[0]
    _, other_pp, other_ppk, other_bendahara = gen_agency_team()
    db.session.commit()
    with pytest.raises(NotFound):
        requests.agency_request(other_pp, pr.id)
    with pytest.raises(NotFound):
        orders.agency_order(other_ppk, po.id)
    with pytest.raises(NotFound):
        orders.record_receipt(po, other_ppk, number="X", received_on=None, quantities={po.lines[0].id: 1})
    with pytest.raises(NotFound):
        orders.accept(po, kaos.seller, actor_id=kaos.seller.user_id)  # not this seller's order
    with pytest.raises(NotFound):
        orders.seller_order(kaos.seller, po.id)


def test_a_forged_ppk_of_another_agency_is_refused(team, goods):
    _, pp, _ppk, _ = team
    kopi, _ = goods
    _, _other_pp, other_ppk, _ = gen_agency_team()
    db.session.commit()
    cart.add(pp, kopi.variants[0].id, 1)
    with pytest.raises(ValidationFailed, match="instansi Anda sendiri"):
        requests.create_from_cart(pp, title="Kopi", rup_code=None, needed_by=None, delivery_address="Kantor",
                                  delivery_kecamatan_code=None, notes="", ppk_id=other_ppk.id)
    db.session.rollback()
    assert cart.cart_for(pp) is not None  # the cart is still there


def test_an_unconfirmed_officer_may_not_buy(app, goods):
    from tests.factories import gen_officer

    kopi, _ = goods
    waiting = gen_officer(status="pending")
    db.session.commit()
    with pytest.raises(PermissionDenied, match="belum dikonfirmasi"):
        cart.add(waiting, kopi.variants[0].id, 1)


def test_every_refusal_is_a_domain_error_with_a_message(team, goods):
    _, pp, ppk, _ = team
    with pytest.raises(DomainError, match="kosong"):
        requests.create_from_cart(pp, title="x", rup_code=None, needed_by=None, delivery_address="Kantor",
                                  delivery_kecamatan_code=None, notes="", ppk_id=ppk.id)
    kopi, _ = goods
    cart.add(pp, kopi.variants[0].id, 1)
    with pytest.raises(ValidationFailed, match="sebelum hari ini"):
        requests.create_from_cart(pp, title="x", rup_code=None, needed_by=jakarta_today() - timedelta(days=1),
                                  delivery_address="Kantor", delivery_kecamatan_code=None, notes="", ppk_id=None)


def test_a_second_approval_of_the_same_agency_audits_integer_budget_figures(team, goods):
    """PostgreSQL sums bigints into numerics: the remaining budget must reach the audit trail
    as an integer (a Decimal cannot be hashed into the chain)."""
    _, pp, ppk, _ = team
    kopi, _ = goods
    gen_ordered_request(pp, ppk, [(kopi, 10)])
    second = gen_ordered_request(pp, ppk, [(kopi, 5)])
    assert second.status == "ordered"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "purchase_request.approved")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.after["remaining_before"] == 1_000_000_000 - 500_000
    assert verify_chain().ok
