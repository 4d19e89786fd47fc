"""Listing moderation at the service level (services/moderation.py): hiding takes a product off
every public path (visible products, search, carts) and tells the seller why; restoring brings
back the status it had; each decision is audited; refusals change nothing."""

import pytest
from sqlalchemy import func, select

from catalog import search
from catalog.extensions import db
from catalog.models import AuditEvent, Notification, Product
from catalog.search import SearchRequest
from catalog.services import cart, moderation
from catalog.services.catalogue import visible_products
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from tests.catalogue_care_factories import REASON
from tests.factories import gen_category, gen_product, gen_seller


@pytest.fixture
def product(app):
    seller = gen_seller(business_name="Dapur Bu Sri")
    item = gen_product(seller=seller, category=gen_category("Keripik"), title="Keripik Singkong Balado")
    db.session.commit()
    return item


def fresh(product_id) -> Product:
    db.session.expire_all()
    return db.session.get(Product, product_id)


def visible_ids() -> set[int]:
    return {p.id for p in db.session.scalars(visible_products())}


def searched_ids(text="keripik") -> set[int]:
    return {hit.product_id for hit in search.search(SearchRequest(text=text)).hits}


def events(action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_hiding_takes_the_product_off_every_public_path(product, admin):
    assert product.id in visible_ids() and product.id in searched_ids()
    moderation.hide_product(product.id, admin.id, REASON)
    hidden = fresh(product.id)
    assert hidden.status == "hidden" and hidden.is_hidden
    assert hidden.status_before_hidden == "active"
    assert hidden.moderation_reason == REASON and hidden.moderated_by_id == admin.id and hidden.moderated_at
    assert product.id not in visible_ids()
    assert product.id not in searched_ids()
    with pytest.raises(ValidationFailed, match="sedang tidak dijual"):
        cart.add_item(user_id=None, token=cart.new_token(), variant_id=hidden.variants[0].id, quantity=1)


def test_hiding_is_audited_and_the_seller_is_told_why(product, admin):
    moderation.hide_product(product.id, admin.id, f"  {REASON}  ")
    event = events("product.hidden")[-1]
    assert (event.object_type, event.object_id, event.actor_id) == ("product", str(product.id), admin.id)
    assert event.before == {"status": "active"} and event.after == {"status": "hidden"}
    assert event.reason == REASON
    note = db.session.scalar(select(Notification).where(Notification.kind == "product.hidden"))
    assert note.user_id == fresh(product.id).seller.user_id
    assert REASON in note.body and "Keripik Singkong Balado" in note.body
    assert note.link == "/penjual/produk"


@pytest.mark.parametrize("status", ["active", "draft", "archived"])
def test_restoring_brings_back_the_status_it_had(app, admin, status):
    item = gen_product(status=status, title="Kopi Robusta Tangerang")
    db.session.commit()
    moderation.hide_product(item.id, admin.id, REASON)
    moderation.restore_product(item.id, admin.id, "Foto sudah diganti penjual.")
    restored = fresh(item.id)
    assert restored.status == status
    assert restored.status_before_hidden is None and restored.moderation_reason is None
    event = events("product.unhidden")[-1]
    assert event.before == {"status": "hidden"} and event.after == {"status": status}
    assert event.reason == "Foto sudah diganti penjual." and event.actor_id == admin.id
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "product.unhidden")) == 1


def test_a_restored_active_product_is_public_and_searchable_again(product, admin):
    moderation.hide_product(product.id, admin.id, REASON)
    moderation.restore_product(product.id, admin.id)
    assert product.id in visible_ids()
    assert product.id in searched_ids()


def test_hiding_an_already_hidden_product_is_refused(product, admin):
    moderation.hide_product(product.id, admin.id, REASON)
    before = audit_count()
    with pytest.raises(InvalidTransition, match="sudah disembunyikan"):
        moderation.hide_product(product.id, admin.id, "Alasan lain yang cukup panjang.")
    db.session.rollback()
    assert fresh(product.id).moderation_reason == REASON
    assert audit_count() == before


def test_restoring_a_product_that_is_not_hidden_is_refused(product, admin):
    with pytest.raises(InvalidTransition, match="tidak sedang disembunyikan"):
        moderation.restore_product(product.id, admin.id)
    db.session.rollback()
    assert fresh(product.id).status == "active"
    assert audit_count() == 0


@pytest.mark.parametrize("reason, message", [(None, "Tuliskan alasannya"), ("   ", "Tuliskan alasannya"),
                                             ("Jelek", "terlalu singkat"), ("x" * 501, "terlalu panjang")])
def test_hiding_needs_a_reason(product, admin, reason, message):
    with pytest.raises(ValidationFailed, match=message) as refused:
        moderation.hide_product(product.id, admin.id, reason)
    assert refused.value.field == "reason"
    db.session.rollback()
    assert fresh(product.id).status == "active"
    assert audit_count() == 0


def test_unknown_product_is_not_found_whatever_the_reason(app, admin):
    with pytest.raises(NotFound):
        moderation.hide_product(99999, admin.id, None)
    with pytest.raises(NotFound):
        moderation.restore_product(99999, admin.id)


def test_ensure_not_hidden_names_the_reason(product, admin):
    moderation.ensure_not_hidden(product)  # an ordinary product passes
    moderation.hide_product(product.id, admin.id, REASON)
    with pytest.raises(InvalidTransition, match="Foto produk memuat"):
        moderation.ensure_not_hidden(fresh(product.id))


def test_search_listings_filters_by_status_and_matches_title_or_seller(app, admin):
    sri = gen_seller(business_name="Dapur Bu Sri")
    batik = gen_seller(business_name="Batik Cisadane")
    chips = gen_product(seller=sri, title="Keripik Pisang")
    gen_product(seller=sri, title="Rempeyek Kacang", status="draft")
    gen_product(seller=batik, title="Kain Batik Tulis")
    db.session.commit()
    moderation.hide_product(chips.id, admin.id, REASON)
    found = moderation.search_listings("bu sri")
    assert {p.title for p in found.page.items} == {"Keripik Pisang", "Rempeyek Kacang"}
    assert found.counts == {"": 2, "aktif": 0, "draf": 1, "arsip": 0, "disembunyikan": 1}
    hidden = moderation.search_listings(None, "disembunyikan")
    assert [p.title for p in hidden.page.items] == ["Keripik Pisang"]
    assert moderation.search_listings("50%_\\", "bogus").page.items == []  # wildcards are text
