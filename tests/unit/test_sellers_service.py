"""services/sellers.py: the profile checklist and completeness, each wizard step's rules, slugs
and renames, documents and their statuses, and submission for verification."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog import storage
from catalog.extensions import db
from catalog.models import AuditEvent, Notification, Seller, SellerDocument, SellerSlugRedirect, User
from catalog.models.base import utcnow
from catalog.services import sellers
from catalog.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests.factories import KEC_PAMULANG, KOTA_TANGSEL, gen_officer, gen_seller, gen_user

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


def business(**overrides) -> sellers.BusinessData:
    data = {"business_name": "Keripik Bu Sari", "owner_name": "Sari", "whatsapp": "0812 3456 7890",
            "nib": "1234567890123", "scale": "mikro", "is_koperasi": False}
    data.update(overrides)
    return sellers.BusinessData(**data)


def complete(seller: Seller) -> Seller:
    seller.address = "Jl. Merpati 1"
    seller.bank_name, seller.bank_account_number, seller.bank_account_name = "BRI", "0123456789", "SARI"
    db.session.add(SellerDocument(seller=seller, kind="nib", number=seller.nib, file_key="d/nib.pdf"))
    db.session.flush()
    return seller


def draft(**kw) -> Seller:
    return gen_seller(status="pending", submitted_at=None, kota=None, kecamatan=None, **kw)


# --- checklist ---------------------------------------------------------------------------------


def test_checklist_of_a_fresh_draft_shows_what_is_missing_in_wizard_order(app):
    seller = draft()

    items = {item.key: item for item in sellers.profile_checklist(seller)}

    assert list(items) == ["business", "location", "whatsapp", "nib_document", "bank", "logo", "description",
                           "certificate"]
    assert items["business"].done and items["whatsapp"].done
    assert not items["location"].done and not items["bank"].done and not items["nib_document"].done
    assert items["location"].endpoint == "seller.onboarding_location"
    assert items["nib_document"].endpoint == "seller.onboarding_documents"
    assert not items["certificate"].required and not items["logo"].required
    assert [i.key for i in sellers.missing_for_submission(seller)] == ["location", "nib_document", "bank"]
    assert sellers.completeness_pct(seller) == 25


def test_location_needs_kota_kecamatan_and_address(app):
    seller = draft()
    seller.kota_code, seller.kecamatan_code = KOTA_TANGSEL, KEC_PAMULANG
    assert "location" in [i.key for i in sellers.missing_for_submission(seller)]
    seller.address = "Jl. Merpati 1"
    assert "location" not in [i.key for i in sellers.missing_for_submission(seller)]


def test_complete_seller_may_submit_and_links_move_to_profile_pages_after_submission(app):
    seller = complete(gen_seller(status="pending", submitted_at=None))
    assert sellers.missing_for_submission(seller) == []
    assert sellers.completeness_pct(seller) == 63  # 5 of 8

    seller.submitted_at = utcnow()
    items = {item.key: item for item in sellers.profile_checklist(seller)}
    assert items["bank"].endpoint == "seller.profile"
    assert items["certificate"].endpoint == "seller.documents"


def test_certificate_logo_and_description_complete_the_profile(app):
    seller = complete(gen_seller(status="verified"))
    seller.logo_key, seller.description = "abc", "<p>Renyah</p>"
    db.session.add(SellerDocument(seller=seller, kind="halal", number="H-1",
                                  expires_on=utcnow().date() + timedelta(days=90)))
    db.session.flush()
    assert sellers.completeness_pct(seller) == 100


def test_an_expired_certificate_does_not_count(app):
    seller = complete(gen_seller(status="verified"))
    db.session.add(SellerDocument(seller=seller, kind="halal", number="H-1",
                                  expires_on=utcnow().date() - timedelta(days=1)))
    db.session.flush()
    assert not {i.key: i for i in sellers.profile_checklist(seller)}["certificate"].done


def test_checklist_labels_are_indonesian_lazy_strings(app):
    seller = draft()
    assert str(sellers.profile_checklist(seller)[0].label).startswith("Data usaha")


# --- step 1 ------------------------------------------------------------------------------------


def test_shopper_becomes_seller_with_a_pending_unsubmitted_shop(app):
    shopper = gen_user(role="shopper")

    seller = sellers.save_business_step(shopper, business(business_name="Kopi Susu Gula Aren — Spesial!"))

    assert shopper.role == "seller"
    assert (seller.status, seller.submitted_at, seller.slug) == ("pending", None, "kopi-susu-gula-aren-spesial")
    assert seller.whatsapp == "+6281234567890"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.role_changed", "seller.registered"]


def test_officer_cannot_open_a_shop(app):
    with pytest.raises(PermissionDenied):
        sellers.save_business_step(gen_officer(), business())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nib": "123"}, "nib"),
        ({"nib": "12345678901x3"}, "nib"),
        ({"whatsapp": "12345"}, "whatsapp"),
        ({"scale": "besar"}, "scale"),
        ({"owner_name": ""}, "owner_name"),
        ({"business_name": "x" * 121}, "business_name"),
    ],
)
def test_bad_step_one_input_raises_and_changes_nothing(app, overrides, field):
    shopper = gen_user(role="shopper")
    db.session.commit()

    with pytest.raises(ValidationFailed) as refused:
        sellers.save_business_step(shopper, business(**overrides))

    assert refused.value.field == field
    db.session.rollback()
    assert db.session.get(User, shopper.id).role == "shopper"
    assert db.session.scalar(select(func.count(Seller.id))) == 0


def test_duplicate_nib_is_refused_but_own_nib_may_be_saved_again(app):
    other = gen_seller(nib="1234567890123")
    seller = draft(nib="9876543210987")

    with pytest.raises(ValidationFailed, match="NIB ini sudah terdaftar."):
        sellers.save_business_step(seller.user, business(nib=other.nib))
    sellers.save_business_step(seller.user, business(nib="9876543210987"))


def test_register_seller_account_creates_user_and_shop_in_one_go(app):
    seller = sellers.register_seller_account(name="Sari", email="Sari@Contoh.ID", password="kopi-gula-aren-7",
                                             business=business())
    assert seller.user.email == "sari@contoh.id" and seller.user.role == "seller"
    assert seller.user.check_password("kopi-gula-aren-7")


def test_register_seller_account_with_bad_business_creates_no_user(app):
    with pytest.raises(ValidationFailed):
        sellers.register_seller_account(name="Sari", email="sari@contoh.id", password="kopi-gula-aren-7",
                                        business=business(nib="1"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id))) == 0


# --- steps 2 and 3 -----------------------------------------------------------------------------


def test_address_is_composed_with_rt_rw_and_split_back():
    address = sellers.compose_address("Jl. Merpati No. 5", "003", "007")
    assert address == "Jl. Merpati No. 5, RT 003/RW 007"
    assert sellers.split_address(address) == ("Jl. Merpati No. 5", "003", "007")
    assert sellers.split_address("Jl. Kenanga 3") == ("Jl. Kenanga 3", "", "")
    assert sellers.compose_address("Gg. Mawar", "004", None) == "Gg. Mawar, RT 004"
    assert sellers.split_address("Gg. Mawar, RT 004") == ("Gg. Mawar", "004", "")


def test_location_step_refuses_a_kecamatan_of_another_kota(app):
    seller = draft()
    with pytest.raises(ValidationFailed) as refused:
        sellers.save_location_step(seller, sellers.LocationData("36.74", "36.03.01", None, "Jl. A"))
    assert refused.value.field == "kecamatan"
    assert seller.kota_code is None


def test_tax_step_normalises_old_npwp_and_account_number(app):
    seller = draft(owner_name="Sari")
    sellers.save_tax_bank_step(seller, sellers.TaxBankData("01.234.567.8-901.000", True, "BSI", None,
                                                           "7123-456-789", "SARI"))
    assert (seller.npwp, seller.is_pkp, seller.bank_account_number) == ("0012345678901000", True, "7123456789")


@pytest.mark.parametrize("raw", ["", "12345", "1" * 21, "12ab5678"])
def test_account_number_must_be_6_to_20_digits(raw):
    with pytest.raises(ValidationFailed):
        sellers.clean_account_number(raw)


# --- renames -------------------------------------------------------------------------------------


def test_renaming_an_unverified_seller_keeps_no_redirect(app):
    seller = draft(business_name="Keripik Bu Sari", slug="keripik-bu-sari")
    sellers.rename(seller, "Keripik Sari Rasa", actor_id=seller.user_id)
    assert seller.slug == "keripik-sari-rasa"
    assert db.session.scalar(select(func.count(SellerSlugRedirect.id))) == 0


def test_renaming_a_verified_seller_keeps_the_old_slug_and_renaming_back_reuses_it(app):
    seller = gen_seller(status="verified", business_name="Keripik Bu Sari", slug="keripik-bu-sari")
    sellers.rename(seller, "Keripik Sari Rasa", actor_id=seller.user_id)
    assert db.session.scalars(select(SellerSlugRedirect.slug)).all() == ["keripik-bu-sari"]

    sellers.rename(seller, "Keripik Bu Sari", actor_id=seller.user_id)
    assert seller.slug == "keripik-bu-sari"
    assert db.session.scalars(select(SellerSlugRedirect.slug)).all() == ["keripik-sari-rasa"]
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("seller.renamed") == 2


def test_rename_with_the_same_slug_changes_only_the_name(app):
    seller = gen_seller(status="verified", business_name="Keripik Bu Sari", slug="keripik-bu-sari")
    sellers.rename(seller, "KERIPIK BU SARI", actor_id=None)
    assert (seller.business_name, seller.slug) == ("KERIPIK BU SARI", "keripik-bu-sari")


# --- documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expired", "status"),
    [(None, False, "berlaku"), (31, False, "berlaku"), (30, False, "segera"), (0, False, "segera"),
     (-1, False, "kedaluwarsa"), (100, True, "kedaluwarsa")],
)
def test_document_status_by_expiry(days, expired, status):
    today = utcnow().date()
    document = SellerDocument(kind="halal", number="H", expired=expired,
                              expires_on=None if days is None else today + timedelta(days=days))
    assert sellers.document_status(document, today) == status


def test_add_document_refuses_a_past_expiry_before_storing_anything(app):
    seller = draft()
    data = sellers.DocumentData("halal", "H-1", None, utcnow().date() - timedelta(days=1))
    with pytest.raises(ValidationFailed) as refused:
        sellers.add_document(seller, data, io.BytesIO(MINIMAL_PDF), actor_id=None)
    assert refused.value.field == "expires_on"
    assert seller.documents == []


def test_add_and_delete_document_are_audited_and_paths_are_private(app):
    seller = draft()
    document = sellers.add_document(seller, sellers.DocumentData("nib", None, None, None),
                                    io.BytesIO(MINIMAL_PDF), actor_id=seller.user_id)
    assert document.number == seller.nib
    assert storage.read_bytes(sellers.document_key(document)) == MINIMAL_PDF
    assert sellers.document_mimetype(document) == "application/pdf"
    assert sellers.document_download_name(document) == f"nib-{seller.nib}.pdf"

    sellers.delete_document(seller, document.id, actor_id=seller.user_id)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["seller.document_added", "seller.document_deleted"]


def test_delete_document_of_another_seller_is_not_found(app):
    from catalog.services.errors import NotFound

    owner, other = draft(), draft()
    document = SellerDocument(seller_id=owner.id, kind="halal", number="H-1")
    db.session.add(document)
    db.session.flush()
    with pytest.raises(NotFound):
        sellers.delete_document(other, document.id, actor_id=None)


# --- submission ----------------------------------------------------------------------------------


def test_submission_with_missing_items_is_refused(app):
    seller = draft()
    with pytest.raises(ValidationFailed, match="Masih ada yang perlu dilengkapi"):
        sellers.submit_for_verification(seller, actor_id=seller.user_id)
    assert seller.submitted_at is None


def test_submission_notifies_admins_and_cannot_be_repeated(app):
    seller = complete(gen_seller(status="pending", submitted_at=None))
    admin = gen_user(role="admin")

    sellers.submit_for_verification(seller, actor_id=seller.user_id)

    assert seller.submitted_at is not None
    note = db.session.scalars(select(Notification)).one()
    assert note.user_id == admin.id and seller.business_name in note.body
    with pytest.raises(InvalidTransition):
        sellers.submit_for_verification(seller, actor_id=seller.user_id)


def test_verified_seller_cannot_submit_again(app):
    seller = complete(gen_seller(status="verified"))
    with pytest.raises(InvalidTransition):
        sellers.submit_for_verification(seller, actor_id=None)


def test_rejected_seller_goes_back_to_pending_through_the_state_machine(app):
    seller = complete(gen_seller(status="rejected", submitted_at=utcnow() - timedelta(days=2),
                                 status_reason="NIB buram"))

    sellers.submit_for_verification(seller, actor_id=seller.user_id)

    assert seller.status == "pending" and seller.status_reason is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "seller.pending")).one()
    assert (event.before, event.after) == ({"status": "rejected"}, {"status": "pending"})


def test_next_wizard_step_follows_the_missing_data(app):
    assert sellers.next_wizard_step(None) == "business"
    seller = draft()
    assert sellers.next_wizard_step(seller) == "location"
    complete(seller)
    seller.kota_code, seller.kecamatan_code = KOTA_TANGSEL, KEC_PAMULANG
    assert sellers.next_wizard_step(seller) == "review"
