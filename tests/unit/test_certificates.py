"""The daily certificate check: warn 30 days ahead once, mark expired documents once, and the
product page stops showing a certificate the check marked expired."""

from datetime import date, timedelta

from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import Notification, SellerDocument
from catalog.services.certificates import check_certificates
from tests.factories import gen_product, gen_seller, gen_user

TODAY = date(2025, 12, 21)


def add_document(seller, kind="halal", expires_on=None, number="ID31110000123450921", **kw) -> SellerDocument:
    document = SellerDocument(seller=seller, kind=kind, number=number, expires_on=expires_on, **kw)
    db.session.add(document)
    db.session.flush()
    return document


def notifications_of(user) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ))


def notification_total() -> int:
    return db.session.scalar(select(func.count(Notification.id)))


def reload(document) -> SellerDocument:
    db.session.expire_all()
    return db.session.get(SellerDocument, document.id)


def test_a_certificate_expiring_within_30_days_is_announced_once(app):
    seller = gen_seller()
    document = add_document(seller, expires_on=date(2026, 1, 20))
    db.session.commit()

    report = check_certificates(TODAY)

    assert (report.warned, report.expired) == (1, 0)
    [note] = notifications_of(seller.user)
    assert note.title == "Sertifikat Halal Anda berakhir pada 20 Januari 2026"
    assert "ID31110000123450921" in note.body
    assert note.link == "/penjual/dokumen"
    assert reload(document).expiry_notified_at is not None
    assert reload(document).expired is False
    [mail] = app.extensions["mail_outbox"]
    assert mail["subject"] == "Sertifikat Halal Anda berakhir pada 20 Januari 2026"

    again = check_certificates(TODAY)
    assert (again.warned, again.expired) == (0, 0)
    assert len(notifications_of(seller.user)) == 1
    assert len(app.extensions["mail_outbox"]) == 1


def test_the_warning_window_is_30_days_inclusive(app):
    seller = gen_seller()
    on_edge = add_document(seller, kind="pirt", expires_on=TODAY + timedelta(days=30))
    too_far = add_document(seller, kind="bpom", expires_on=TODAY + timedelta(days=31))
    no_expiry = add_document(seller, kind="nib", expires_on=None)
    db.session.commit()

    report = check_certificates(TODAY)

    assert report.warned == 1
    assert reload(on_edge).expiry_notified_at is not None
    assert reload(too_far).expiry_notified_at is None
    assert reload(no_expiry).expiry_notified_at is None
    assert [n.title for n in notifications_of(seller.user)] == ["Sertifikat P-IRT Anda berakhir pada 20 Januari 2026"]


def test_an_expired_certificate_is_marked_and_announced_once(app):
    seller = gen_seller()
    document = add_document(seller, expires_on=TODAY - timedelta(days=1))
    db.session.commit()

    report = check_certificates(TODAY)

    assert (report.warned, report.expired) == (0, 1)
    assert reload(document).expired is True
    [note] = notifications_of(seller.user)
    assert note.title == "Sertifikat Halal Anda sudah berakhir"
    assert "20 Desember 2025" in note.body

    assert check_certificates(TODAY).total == 0
    assert check_certificates(TODAY + timedelta(days=40)).total == 0
    assert len(notifications_of(seller.user)) == 1


def test_a_certificate_that_was_warned_about_gets_one_more_notice_when_it_expires(app):
    seller = gen_seller()
    document = add_document(seller, expires_on=date(2026, 1, 20))
    db.session.commit()

    check_certificates(TODAY)  # 30 days ahead: the warning
    check_certificates(date(2026, 1, 10))  # still valid: nothing new
    check_certificates(date(2026, 1, 20))  # its last valid day: nothing new
    report = check_certificates(date(2026, 1, 21))  # expired

    assert report.expired == 1
    assert reload(document).expired is True
    assert [n.kind for n in notifications_of(seller.user)] == ["certificate.expiring", "certificate.expired"]


def test_each_seller_hears_only_about_their_own_documents(app):
    first, second = gen_seller(), gen_seller()
    add_document(first, kind="halal", expires_on=TODAY + timedelta(days=3))
    add_document(second, kind="sni", expires_on=TODAY + timedelta(days=3))
    db.session.commit()

    check_certificates(TODAY)

    assert [n.title for n in notifications_of(first.user)] == ["Sertifikat Halal Anda berakhir pada 24 Desember 2025"]
    assert [n.title for n in notifications_of(second.user)] == ["Sertifikat SNI Anda berakhir pada 24 Desember 2025"]


def test_the_date_in_the_notice_follows_the_sellers_language(app):
    seller = gen_seller(user=gen_user(role="seller", locale="en"))
    add_document(seller, expires_on=date(2026, 1, 20))
    db.session.commit()

    check_certificates(TODAY)

    [note] = notifications_of(seller.user)
    assert note.title == "Your Halal certificate expires on 20 January 2026"


def test_many_documents_are_checked_in_batches(app, monkeypatch):
    from catalog.services import certificates

    monkeypatch.setattr(certificates, "BATCH_SIZE", 3)
    sellers = [gen_seller() for _ in range(4)]
    for seller in sellers:
        add_document(seller, kind="halal", expires_on=TODAY + timedelta(days=10))
        add_document(seller, kind="pirt", expires_on=TODAY - timedelta(days=10))
    db.session.commit()

    report = check_certificates(TODAY)

    assert (report.warned, report.expired) == (4, 4)
    assert notification_total() == 8
    assert check_certificates(TODAY).total == 0


# --- the command -------------------------------------------------------------------------------

def test_the_command_prints_the_counts_and_sends_nothing_twice(app, runner):
    seller = gen_seller()
    add_document(seller, expires_on=date(2026, 1, 20))
    add_document(seller, kind="pirt", expires_on=date(2025, 12, 1))
    db.session.commit()

    first = runner.invoke(args=["sellers", "check-certificates", "--tanggal", "2025-12-21"])
    assert first.exit_code == 0, first.output
    assert "1 pengingat" in first.output
    assert "1 ditandai sudah berakhir" in first.output

    second = runner.invoke(args=["sellers", "check-certificates", "--tanggal", "2025-12-21"])
    assert second.exit_code == 0, second.output
    assert "0 pengingat" in second.output and "0 ditandai" in second.output
    assert len(notifications_of(seller.user)) == 2


def test_the_command_runs_for_today_without_a_date(app, runner):
    result = runner.invoke(args=["sellers", "check-certificates"])
    assert result.exit_code == 0, result.output
    assert "Pemeriksaan sertifikat per" in result.output


def test_the_command_refuses_a_malformed_date(app, runner):
    result = runner.invoke(args=["sellers", "check-certificates", "--tanggal", "21-12-2025"])
    assert result.exit_code == 2
    assert notification_total() == 0


# --- what buyers see -------------------------------------------------------------------------------

def test_a_certificate_the_check_marks_expired_disappears_from_the_product_page(app, client):
    seller = gen_seller(business_name="Dapur Bu Tini")
    today = date.today()
    # Still valid by its date today; the check is run as of a later day, when it has ended.
    halal = add_document(seller, kind="halal", number="HALAL-778899", expires_on=today + timedelta(days=5))
    pirt = add_document(seller, kind="pirt", number="PIRT-2063674010045", expires_on=today + timedelta(days=900))
    product = gen_product(seller=seller, title="Rendang Kering")
    product.certificates.extend([halal, pirt])
    db.session.commit()

    before = client.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert "HALAL-778899" in before and "PIRT-2063674010045" in before

    report = check_certificates(today + timedelta(days=6))
    assert report.expired == 1

    after = client.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert "HALAL-778899" not in after
    assert "PIRT-2063674010045" in after
