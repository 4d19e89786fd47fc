"""services/delivery.py: the rules a seller's delivery option must meet, ownership, and that
checkout offers what the seller set up."""

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import DeliveryOption, Order
from catalog.services import checkout, delivery
from catalog.services.delivery import OptionInput, OptionInvalid
from catalog.services.errors import NotFound
from tests.factories import (
    KAB_TANGERANG,
    KEC_PAMULANG,
    KEC_SERPONG,
    KOTA_TANGERANG,
    KOTA_TANGSEL,
    gen_address,
    gen_product,
    gen_seller,
    gen_user,
)
from tests.integration.test_seller_orders import quick_password_hashes  # noqa: F401 (an autouse fixture)


@pytest.fixture
def seller(app):
    seller = gen_seller(kecamatan=KEC_PAMULANG, kota=KOTA_TANGSEL)
    db.session.commit()
    return seller


def courier(**kw) -> OptionInput:
    return OptionInput(**{"kind": "courier", "name": "JNE Reguler", "fee": "12.000", "kota_code": KOTA_TANGSEL,
                          "eta_days": "2", **kw})


def option_count() -> int:
    return db.session.scalar(select(func.count()).select_from(DeliveryOption))


def errors_of(seller, data) -> dict:
    with pytest.raises(OptionInvalid) as caught:
        delivery.add_option(seller, data)
    db.session.rollback()
    return {name: str(message) for name, message in caught.value.errors.items()}


# --- adding ----------------------------------------------------------------------------------------

def test_courier_fee_is_read_the_indonesian_way(seller):
    option = delivery.add_option(seller, courier(fee="Rp 12.500"))
    assert (option.kind, option.name, option.fee, option.kota_code, option.eta_days, option.active) == (
        "courier", "JNE Reguler", 12_500, KOTA_TANGSEL, 2, True)


def test_empty_kota_means_every_kota(seller):
    option = delivery.add_option(seller, courier(kota_code=""))
    assert option.kota_code is None


@pytest.mark.parametrize("fee, message", [
    ("-5.000", "negatif"),
    (-1, "negatif"),
    ("10.000.001", "terlalu besar"),
    ("12,5", "sen"),
    ("dua ribu", "tidak dikenali"),
    ("", "Isi ongkos kirim"),
])
def test_bad_fees_are_refused_with_a_message(seller, fee, message):
    errors = errors_of(seller, courier(fee=fee))
    assert message in errors["fee"]
    assert option_count() == 0


def test_the_highest_fee_allowed_is_ten_million(seller):
    assert delivery.add_option(seller, courier(fee="10.000.000")).fee == 10_000_000


@pytest.mark.parametrize("kota", ["99.99", "36.74.01", "Tangerang", "36"])
def test_a_kota_outside_the_region_table_is_refused(seller, kota):
    errors = errors_of(seller, courier(kota_code=kota))
    assert "Pilih kota tujuan" in errors["kota_code"]
    assert option_count() == 0


@pytest.mark.parametrize("kota", [KOTA_TANGSEL, KOTA_TANGERANG, KAB_TANGERANG])
def test_each_of_the_three_kota_is_accepted(seller, kota):
    assert delivery.add_option(seller, courier(kota_code=kota)).kota_code == kota


def test_courier_needs_a_name_no_longer_than_sixty_characters(seller):
    assert "JNE Reguler" in errors_of(seller, courier(name="  "))["name"]
    assert "60" in errors_of(seller, courier(name="K" * 61))["name"]
    assert delivery.add_option(seller, courier(name="K" * 60)).name == "K" * 60


@pytest.mark.parametrize("eta", ["31", "-1", "dua", "1,5"])
def test_days_to_arrive_are_zero_to_thirty(seller, eta):
    assert "0 sampai 30" in errors_of(seller, courier(eta_days=eta))["eta_days"]


def test_days_to_arrive_are_optional(seller):
    assert delivery.add_option(seller, courier(eta_days="")).eta_days is None
    assert delivery.add_option(seller, courier(eta_days="0", kota_code=KOTA_TANGERANG)).eta_days == 0


def test_unknown_kind_is_refused(seller):
    assert "jenis pengiriman" in errors_of(seller, courier(kind="drone"))["kind"]


def test_every_problem_is_reported_at_once(seller):
    errors = errors_of(seller, courier(name="", fee="-1", kota_code="99", eta_days="99"))
    assert set(errors) == {"name", "fee", "kota_code", "eta_days"}


def test_pickup_is_free_named_by_default_and_has_no_kota(seller):
    option = delivery.add_option(seller, OptionInput(kind="pickup", fee="5.000", kota_code=KOTA_TANGERANG))
    assert (option.name, option.fee, option.kota_code) == ("Ambil di toko", 0, None)


def test_own_delivery_may_be_free_and_ignores_kota(seller):
    option = delivery.add_option(seller, OptionInput(kind="own", fee="", kota_code=KOTA_TANGERANG))
    assert (option.name, option.fee, option.kota_code) == ("Antar sendiri", 0, None)


def test_a_second_fee_for_the_same_courier_and_kota_is_refused(seller):
    delivery.add_option(seller, courier())
    assert "sudah ada" in errors_of(seller, courier(name="jne reguler", fee="20.000"))["kota_code"]
    # Another kota, or every kota, is a different fee.
    delivery.add_option(seller, courier(kota_code=KOTA_TANGERANG))
    delivery.add_option(seller, courier(kota_code=""))
    assert "semua kota" in errors_of(seller, courier(kota_code=""))["kota_code"]


def test_one_pickup_only(seller):
    delivery.add_option(seller, OptionInput(kind="pickup"))
    assert "sudah ada" in errors_of(seller, OptionInput(kind="pickup", name="Ambil di gudang"))["kind"]


def test_another_sellers_options_do_not_clash(seller):
    delivery.add_option(gen_seller(), courier())
    assert delivery.add_option(seller, courier()).seller_id == seller.id


# --- editing, switching off, deleting --------------------------------------------------------------

def test_editing_keeps_the_option_and_checks_the_rules(seller):
    option = delivery.add_option(seller, courier())
    delivery.update_option(seller, option, courier(fee="15.000", eta_days=""))  # not a clash with itself
    assert (option.fee, option.eta_days) == (15_000, None)
    with pytest.raises(OptionInvalid):
        delivery.update_option(seller, option, courier(fee="-1"))
    db.session.rollback()
    assert db.session.get(DeliveryOption, option.id).fee == 15_000


def test_switching_off_and_on(seller):
    option = delivery.add_option(seller, courier())
    delivery.set_active(seller, option, False)
    assert option.active is False
    delivery.set_active(seller, option, True)
    assert option.active is True


def test_another_sellers_option_is_not_found_for_every_action(seller):
    theirs = delivery.add_option(gen_seller(), courier())
    with pytest.raises(NotFound):
        delivery.seller_option(seller, theirs.id)
    for action in (lambda: delivery.update_option(seller, theirs, courier(fee="1")),
                   lambda: delivery.set_active(seller, theirs, False),
                   lambda: delivery.delete_option(seller, theirs)):
        with pytest.raises(NotFound):
            action()
    db.session.rollback()
    option = db.session.get(DeliveryOption, theirs.id)
    assert (option.fee, option.active) == (12_000, True)


@pytest.mark.parametrize("raw", ["abc", None, "", "99999999999999999999", -1])
def test_nonsense_ids_are_not_found(seller, raw):
    with pytest.raises(NotFound):
        delivery.seller_option(seller, raw)


def test_deleting_an_option_keeps_the_orders_that_used_it(seller):
    from catalog.demo.orders import place

    option = delivery.add_option(seller, courier())
    product = gen_product(seller=seller, price=20_000, stock=5)
    shopper = gen_user()
    address = gen_address(shopper)
    db.session.commit()
    group = place(shopper, address, [(product.variants[0].id, 1)])
    assert group.orders[0].delivery_option_id == option.id
    delivery.delete_option(seller, option)
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert (order.delivery_option_id, order.delivery_name, order.shipping_fee) == (None, "JNE Reguler", 12_000)


# --- what checkout offers ----------------------------------------------------------------------

def test_checkout_offers_the_fee_for_the_shoppers_kota_and_own_delivery_in_the_sellers_kecamatan(seller):
    delivery.add_option(seller, courier(fee="9.000"))
    delivery.add_option(seller, courier(fee="20.000", kota_code=""))
    delivery.add_option(seller, OptionInput(kind="own", fee="5.000"))
    off = delivery.add_option(seller, OptionInput(kind="pickup"))
    delivery.set_active(seller, off, False)
    options = delivery.seller_options(seller)
    shopper = gen_user()
    near = gen_address(shopper, kota=KOTA_TANGSEL, kecamatan=KEC_PAMULANG)
    elsewhere = gen_address(shopper, kota=KOTA_TANGSEL, kecamatan=KEC_SERPONG)
    far = gen_address(shopper, kota=KOTA_TANGERANG, kecamatan="36.71.01")
    offered = lambda address: [(c.kind, c.fee) for c in checkout.delivery_choices(seller, options, address)]  # noqa: E731
    assert offered(near) == [("courier", 9_000), ("own", 5_000)]
    assert offered(elsewhere) == [("courier", 9_000)]
    assert offered(far) == [("courier", 20_000)]


def test_kota_a_seller_cannot_deliver_to_are_named(seller):
    assert delivery.kota_without_delivery(seller, []) == []  # nothing set up: checkout offers pickup
    delivery.add_option(seller, courier())
    gaps = delivery.kota_without_delivery(seller, delivery.seller_options(seller))
    assert gaps == ["Kabupaten Tangerang", "Kota Tangerang"]
    delivery.add_option(seller, OptionInput(kind="pickup"))
    assert delivery.kota_without_delivery(seller, delivery.seller_options(seller)) == []


def test_options_are_listed_by_kind_then_name(seller):
    delivery.add_option(seller, OptionInput(kind="pickup"))
    delivery.add_option(seller, courier(name="SiCepat"))
    delivery.add_option(seller, OptionInput(kind="own", name="Kurir toko"))
    delivery.add_option(seller, courier())
    delivery.add_option(gen_seller(), courier())
    assert [o.name for o in delivery.seller_options(seller)] == ["JNE Reguler", "SiCepat", "Ambil di toko", "Kurir toko"]
