"""The Dinas sees every government invoice past its due date, and only those."""

from datetime import timedelta

from catalog.extensions import db
from catalog.services.procurement import orders
from tests.factories import PASSWORD, gen_agency_team, gen_ordered_request, gen_product, gen_seller, gen_user


def invoiced(pp, ppk, product, quantity):
    pr = gen_ordered_request(pp, ppk, [(product, quantity)])
    po = pr.purchase_orders[0]
    orders.accept(po, po.seller, actor_id=po.seller.user_id)
    orders.record_receipt(po, ppk, number=f"BAST/{po.id}", received_on=None, quantities={po.lines[0].id: quantity})
    return orders.issue_invoice(po, po.seller, actor_id=po.seller.user_id)


def test_the_admin_lists_overdue_invoices_longest_first_with_days_late(app, client, auth):
    agency, pp, ppk, bendahara = gen_agency_team(name="Dinas Pendidikan Tangsel")
    seller = gen_seller(business_name="Katering Bu Ani")
    nasi = gen_product(seller=seller, title="Nasi Kotak Ayam", price=35_000, stock=1000)
    db.session.commit()
    late = invoiced(pp, ppk, nasi, 100)
    later = invoiced(pp, ppk, nasi, 50)
    on_time = invoiced(pp, ppk, nasi, 10)
    paid = invoiced(pp, ppk, nasi, 20)
    late.due_on -= timedelta(days=40)
    later.due_on -= timedelta(days=35)
    paid.due_on -= timedelta(days=60)
    db.session.commit()
    orders.record_payment(paid, bendahara, method="transfer", reference="SP2D-1", paid_on=None)
    admin = gen_user(role="admin")
    db.session.commit()

    auth.login(admin.email, PASSWORD)
    html = client.get("/admin/tagihan-terlambat").get_data(as_text=True)
    assert html.index(late.number) < html.index(later.number)
    assert "10 hari" in html and "5 hari" in html and "Katering Bu Ani" in html
    assert on_time.number not in html and paid.number not in html


def test_only_admins_see_the_list(app, client, auth):
    _agency, pp, _ppk, _ = gen_agency_team()
    db.session.commit()
    auth.login(pp.email, PASSWORD)
    assert client.get("/admin/tagihan-terlambat").status_code == 403
