"""Reported listings: a logged-in user reports a visible product from /produk/<slug>/laporkan (once,
never their own), the Dinas sees the reports grouped by product at /admin/laporan and hides the
product (it leaves the product page and the listings) or dismisses the reports; a decided report
refuses a second decision; every step leaves its audit event."""

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, Product
from catalog.models.moderation import REPORT_DISMISSED, REPORT_OPEN, REPORT_UPHELD, ProductReport
from catalog.services import reports
from catalog.services.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from tests.conftest import csrf_token_from
from tests.console_factories import gen_report, log_in, text_of
from tests.factories import gen_category, gen_officer, gen_product, gen_seller, gen_user

HIDE_REASON = "Produk ini mengaku halal tanpa sertifikat yang sah."


@pytest.fixture
def world(app):
    class World:
        category = gen_category("Camilan", slug="camilan")
        seller = gen_seller(business_name="Dapur Bu Sri")
        product = gen_product(seller=seller, category=category, title="Keripik Ajaib Penurun Berat", slug="keripik-ajaib")
        other = gen_product(seller=seller, category=category, title="Sambal Roa", slug="sambal-roa")
        shopper = gen_user(name="Rina Pembeli")
        neighbour = gen_user(name="Tono Tetangga")
        admin = gen_user(role="admin", name="Admin Dinas")
    db.session.commit()
    return World


def report_count(**where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(ProductReport.id)).filter_by(**where)) or 0


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- reporting ------------------------------------------------------------------------------------

def test_a_shopper_reports_a_product_from_its_page(client, world):
    log_in(client, world.shopper)
    form = client.get("/produk/keripik-ajaib/laporkan")
    assert form.status_code == 200
    assert "Keterangan, foto atau harga menyesatkan" in text_of(form)

    response = client.post("/produk/keripik-ajaib/laporkan", data={"reason": "misleading", "message": "Klaim palsu."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/produk/keripik-ajaib")
    report = db.session.scalar(select(ProductReport))
    assert (report.product_id, report.reporter_id, report.reason, report.status) == (
        world.product.id, world.shopper.id, "misleading", REPORT_OPEN)
    assert report.message == "Klaim palsu."
    assert events("product_report.created")[0].actor_id == world.shopper.id

    again = client.get("/produk/keripik-ajaib/laporkan")
    assert "Anda sudah melaporkan produk ini" in text_of(again) and "Kirim laporan" not in text_of(again)


def test_a_second_report_by_the_same_user_is_refused(client, world):
    log_in(client, world.shopper)
    client.post("/produk/keripik-ajaib/laporkan", data={"reason": "fraud"})
    response = client.post("/produk/keripik-ajaib/laporkan", data={"reason": "counterfeit"})
    assert response.status_code == 409
    assert report_count() == 1
    with pytest.raises(InvalidTransition, match="Anda sudah melaporkan produk ini"):
        reports.report_product(world.shopper, world.product.id, "other", "lagi")


def test_an_officer_may_report_too(client, world):
    officer = gen_officer()
    db.session.commit()
    log_in(client, officer)
    assert client.post("/produk/keripik-ajaib/laporkan", data={"reason": "prohibited"}).status_code == 302
    assert report_count() == 1


def test_the_seller_cannot_report_their_own_product(client, world):
    log_in(client, world.seller.user)
    page = client.get("/produk/keripik-ajaib/laporkan")
    assert page.status_code == 403 and "produk Anda sendiri" in text_of(page)
    assert client.post("/produk/keripik-ajaib/laporkan", data={"reason": "fraud"}).status_code == 403
    assert report_count() == 0
    with pytest.raises(PermissionDenied):
        reports.report_product(world.seller.user, world.product.id, "fraud", "")


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": "spam"}, "Pilih alasan laporan"),
    ({}, "Pilih alasan laporan"),
    ({"reason": "other", "message": "   "}, "Jelaskan masalahnya"),
    ({"reason": "fraud", "message": "x" * 1001}, "maksimal 1000 karakter"),
])
def test_bad_input_is_refused_and_nothing_is_stored(client, world, data, message):
    log_in(client, world.shopper)
    response = client.post("/produk/keripik-ajaib/laporkan", data=data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert report_count() == 0


def test_unknown_hidden_or_draft_products_cannot_be_reported(client, world):
    draft = gen_product(seller=world.seller, status="draft", slug="draf")
    hidden = gen_product(seller=world.seller, status="hidden", slug="disembunyikan")
    db.session.commit()
    log_in(client, world.shopper)
    for slug in ("tidak-ada", "draf", "disembunyikan"):
        assert client.get(f"/produk/{slug}/laporkan").status_code == 404
        assert client.post(f"/produk/{slug}/laporkan", data={"reason": "fraud"}).status_code == 404
    with pytest.raises(NotFound):
        reports.report_product(world.shopper, hidden.id, "fraud", "")
    with pytest.raises(NotFound):
        reports.report_product(world.shopper, draft.id, "fraud", "")
    assert report_count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get("/produk/keripik-ajaib/laporkan")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_reporting_needs_a_csrf_token(make_app, world):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = log_in(app.test_client(), world.shopper)
    assert client.post("/produk/keripik-ajaib/laporkan", data={"reason": "fraud"}).status_code == 400
    assert report_count() == 0
    token = csrf_token_from(client.get("/produk/keripik-ajaib/laporkan").get_data(as_text=True))
    assert client.post("/produk/keripik-ajaib/laporkan", data={"reason": "fraud", "csrf_token": token}).status_code == 302


# --- the queue ------------------------------------------------------------------------------------

def test_the_queue_groups_open_reports_by_product_oldest_first(client, world):
    first = gen_report(world.other, world.shopper)
    gen_report(world.product, world.shopper)
    gen_report(world.product, world.neighbour)
    db.session.commit()
    tab, groups, counts = reports.report_queue()
    assert tab == "terbuka"
    assert [(g.product.id, g.count) for g in groups] == [(world.other.id, 1), (world.product.id, 2)]
    assert counts == {"terbuka": 2, "selesai": 0}
    assert groups[0].first_at == first.created_at

    log_in(client, world.admin)
    page = text_of(client.get("/admin/laporan"))
    assert "Keripik Ajaib Penurun Berat" in page and "Sambal Roa" in page
    detail = text_of(client.get(f"/admin/laporan/produk/{world.product.id}"))
    assert "Rina Pembeli" in detail and "Tono Tetangga" in detail and "Sembunyikan produk" in detail
    assert client.get("/admin/laporan?status=aneh").status_code == 200


def test_unknown_or_unreported_products_are_404(client, world):
    log_in(client, world.admin)
    assert client.get("/admin/laporan/produk/999999").status_code == 404
    assert client.get(f"/admin/laporan/produk/{world.other.id}").status_code == 404  # nobody reported it
    assert client.post(f"/admin/laporan/produk/{world.other.id}/keputusan", data={"action": "dismiss"}).status_code == 404


# --- decisions ----------------------------------------------------------------------------------

def test_uphold_hides_the_product_and_closes_every_open_report(client, world):
    gen_report(world.product, world.shopper)
    gen_report(world.product, world.neighbour, reason="fraud")
    other_report = gen_report(world.other, world.shopper)
    db.session.commit()
    assert client.get("/produk/keripik-ajaib").status_code == 200
    assert "Keripik Ajaib" in text_of(client.get("/kategori/camilan"))
    assert "Keripik Ajaib" in text_of(client.get("/cari?q=keripik"))

    log_in(client, world.admin)
    missing = client.post(f"/admin/laporan/produk/{world.product.id}/keputusan", data={"action": "uphold"})
    assert missing.status_code == 400 and "Tuliskan alasannya" in text_of(missing)
    assert report_count(status=REPORT_OPEN) == 3

    response = client.post(f"/admin/laporan/produk/{world.product.id}/keputusan",
                           data={"action": "uphold", "reason": HIDE_REASON})
    assert response.status_code == 302

    db.session.expire_all()
    product = db.session.get(Product, world.product.id)
    assert product.is_hidden and product.moderation_reason == HIDE_REASON and product.moderated_by_id == world.admin.id
    assert report_count(product_id=world.product.id, status=REPORT_UPHELD) == 2
    assert db.session.get(ProductReport, other_report.id).status == REPORT_OPEN  # another product's report
    assert len(events("product_report.upheld")) == 2 and events("product.hidden")[0].reason == HIDE_REASON

    visitor = client.application.test_client()
    assert visitor.get("/produk/keripik-ajaib").status_code == 404
    assert "Keripik Ajaib" not in text_of(visitor.get("/kategori/camilan"))
    assert "Keripik Ajaib" not in text_of(visitor.get("/cari?q=keripik"))
    assert "Sambal Roa" in text_of(visitor.get("/kategori/camilan"))


def test_dismiss_closes_the_reports_and_keeps_the_product(client, world):
    report = gen_report(world.product, world.shopper)
    gen_report(world.product, world.neighbour)
    db.session.commit()
    log_in(client, world.admin)
    response = client.post(f"/admin/laporan/produk/{world.product.id}/keputusan", data={"action": "dismiss"})
    assert response.status_code == 302
    assert report_count(status=REPORT_DISMISSED) == 2
    assert not db.session.get(Product, world.product.id).is_hidden
    assert len(events("product_report.dismissed")) == 2
    assert client.application.test_client().get("/produk/keripik-ajaib").status_code == 200
    assert reports.report_queue("selesai")[1][0].product.id == world.product.id
    with pytest.raises(InvalidTransition):
        reports.uphold(report.id, world.admin.id, HIDE_REASON)


@pytest.mark.parametrize("first", ["uphold", "dismiss"])
def test_a_second_decision_is_refused(client, world, first):
    gen_report(world.product, world.shopper)
    db.session.commit()
    log_in(client, world.admin)
    url = f"/admin/laporan/produk/{world.product.id}/keputusan"
    assert client.post(url, data={"action": first, "reason": HIDE_REASON}).status_code == 302
    count = len(db.session.scalars(select(AuditEvent)).all())
    for action in ("uphold", "dismiss"):
        response = client.post(url, data={"action": action, "reason": HIDE_REASON})
        assert response.status_code == 409 and "sudah diputuskan" in text_of(response)
    db.session.expire_all()
    assert len(db.session.scalars(select(AuditEvent)).all()) == count


def test_uphold_of_an_already_hidden_product_still_closes_the_reports(app, world):
    from catalog.services import moderation

    report = gen_report(world.product, world.shopper)
    db.session.commit()
    moderation.hide_product(world.product.id, world.admin.id, HIDE_REASON)
    reports.uphold(report.id, world.admin.id, HIDE_REASON)
    assert report_count(status=REPORT_UPHELD) == 1
    assert len(events("product.hidden")) == 1


def test_the_hide_reason_is_checked_by_the_service(app, world):
    report = gen_report(world.product, world.shopper)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        reports.uphold(report.id, world.admin.id, "pendek")
    assert report_count(status=REPORT_OPEN) == 1


def test_decisions_need_a_csrf_token(make_app, world):
    app = make_app(WTF_CSRF_ENABLED=True)
    gen_report(world.product, world.shopper)
    db.session.commit()
    client = log_in(app.test_client(), world.admin)
    assert client.post(f"/admin/laporan/produk/{world.product.id}/keputusan",
                       data={"action": "dismiss"}).status_code == 400
    assert report_count(status=REPORT_OPEN) == 1
