"""Checkout, payment and fulfilment through the services: the order a checkout makes, the two
state machines (every allowed move works, every other is refused), stock that never oversells
under parallel buyers, expiry and refunds."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import Address, AuditEvent, Cart, Order, OrderGroup, Product, ProductVariant, User
from catalog.models.base import utcnow
from catalog.models.orders import DeliveryOption
from catalog.services import cart as carts
from catalog.services import checkout, orders, payments, states
from catalog.services.audit import verify_chain
from catalog.services.errors import DomainError, InvalidTransition, NotFound, OutOfStock, ValidationFailed
from tests.factories import KEC_SERPONG, KOTA_TANGERANG, gen_address, gen_product, gen_seller, gen_user


@pytest.fixture
def shop(app):
    """Two sellers (Pamulang and Serpong) with one product each, a shopper with an address in
    Pamulang and both products in the cart."""
    pamulang = gen_seller(business_name="Keripik Bu Sri")
    serpong = gen_seller(business_name="Batik Serpong", kecamatan=KEC_SERPONG)
    keripik = gen_product(seller=pamulang, title="Keripik Singkong Pedas", price=15_000, stock=10)
    batik = gen_product(seller=serpong, title="Kemeja Batik", price=250_000, stock=3)
    db.session.add_all([
        DeliveryOption(seller_id=pamulang.id, kind="own", name="Antar sendiri", fee=5_000),
        DeliveryOption(seller_id=serpong.id, kind="courier", name="JNE Reguler", fee=12_000),
        DeliveryOption(seller_id=serpong.id, kind="courier", name="JNE Reguler", fee=20_000, kota_code=KOTA_TANGERANG),
    ])
    shopper = gen_user(name="Rina")
    address = gen_address(shopper)
    admin = gen_user(role="admin")
    db.session.commit()
    carts.add_item(user_id=shopper.id, token=None, variant_id=keripik.variants[0].id, quantity=2)
    carts.add_item(user_id=shopper.id, token=None, variant_id=batik.variants[0].id, quantity=1)
    return {"shopper": shopper, "address": address, "keripik": keripik, "batik": batik, "pamulang": pamulang,
            "serpong": serpong, "admin": admin}


def place(shop, method="transfer", token="token-1", user=None, expected=None):
    user = user or shop["shopper"]
    cart = carts.cart_for(user_id=user.id)
    q = checkout.quote(cart, shop["address"], {})
    return checkout.place_order(user=user, cart=cart, address=shop["address"], chosen={}, method=method,
                                expected_total=q.total if expected is None else expected, checkout_token=token)


def stock_of(product):
    db.session.expire_all()
    return db.session.get(ProductVariant, product.variants[0].id).stock


def test_checkout_makes_one_group_with_one_order_per_seller_and_reserves_stock(shop):
    q = checkout.quote(carts.cart_for(user_id=shop["shopper"].id), shop["address"], {})
    # Own delivery is offered in the seller's kecamatan; the courier's fee for every kota applies.
    assert [(s.seller.business_name, s.chosen.name, s.shipping_fee) for s in q.sellers] == [
        ("Keripik Bu Sri", "Antar sendiri", 5_000), ("Batik Serpong", "JNE Reguler", 12_000)]
    group = place(shop)
    assert group.items_total == 2 * 15_000 + 250_000
    assert group.total == 280_000 + 17_000
    assert [(o.seller.business_name, o.status, o.total, [i.title for i in o.items]) for o in group.orders] == [
        ("Keripik Bu Sri", "awaiting_payment", 35_000, ["Keripik Singkong Pedas"]),
        ("Batik Serpong", "awaiting_payment", 262_000, ["Kemeja Batik"]),
    ]
    assert group.payment.status == "pending" and group.payment.amount == group.total
    assert stock_of(shop["keripik"]) == 8 and stock_of(shop["batik"]) == 2
    assert carts.cart_for(user_id=shop["shopper"].id).items == []
    assert verify_chain().ok


def test_delivery_choices_follow_the_address(shop):
    elsewhere = gen_address(shop["shopper"], kota=KOTA_TANGERANG, kecamatan="36.71.01")
    db.session.commit()
    q = checkout.quote(carts.cart_for(user_id=shop["shopper"].id), elsewhere, {})
    pamulang, serpong = q.sellers
    # Own delivery only within the seller's kecamatan; nothing else set up → no choice at all.
    assert pamulang.choices == [] and pamulang.chosen is None
    # The courier's fee for that kota wins over its fee for every kota.
    assert [(c.name, c.fee) for c in serpong.choices] == [("JNE Reguler", 20_000)]
    assert not q.complete


def test_a_seller_without_delivery_options_offers_pickup(shop):
    db.session.execute(DeliveryOption.__table__.delete())
    db.session.commit()
    q = checkout.quote(carts.cart_for(user_id=shop["shopper"].id), shop["address"], {})
    assert [(c.key, c.kind, c.fee) for s in q.sellers for c in s.choices] == [("ambil", "pickup", 0)] * 2


def test_a_changed_total_is_refused_and_nothing_changes(shop):
    with pytest.raises(ValidationFailed, match="berubah"):
        place(shop, expected=1_000)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OrderGroup.id))) == 0
    assert stock_of(shop["keripik"]) == 10


def test_a_replayed_checkout_form_makes_one_order(shop):
    first = place(shop, token="same")
    again = place(shop, token="same")
    assert again.id == first.id
    assert db.session.scalar(select(func.count(OrderGroup.id))) == 1
    other = gen_user()
    db.session.commit()
    with pytest.raises(ValidationFailed):
        place(shop, token="same", user=other)


def test_another_users_address_is_refused(shop):
    stranger = gen_user()
    address = gen_address(stranger)
    db.session.commit()
    with pytest.raises(NotFound):
        checkout.own_address(shop["shopper"], address.id)
    cart = carts.cart_for(user_id=shop["shopper"].id)
    with pytest.raises(ValidationFailed):
        checkout.place_order(user=shop["shopper"], cart=cart, address=address, chosen={}, method="transfer",
                             expected_total=0, checkout_token="x")


def test_card_is_refused_without_stripe_keys(shop):
    with pytest.raises(ValidationFailed, match="cara pembayaran"):
        place(shop, method="card")


def test_a_product_archived_or_seller_suspended_after_adding_blocks_checkout(shop):
    shop["batik"].status = "archived"
    db.session.commit()
    with pytest.raises(ValidationFailed, match="Kemeja Batik"):
        place(shop)
    db.session.rollback()
    assert stock_of(shop["keripik"]) == 10


def test_stock_taken_meanwhile_names_the_product(shop):
    variant = shop["batik"].variants[0]
    db.session.execute(ProductVariant.__table__.update().where(ProductVariant.id == variant.id).values(stock=0))
    db.session.commit()
    # The cart review sees it first ("Stok habis"); the conditional UPDATE is the last guard.
    with pytest.raises(ValidationFailed, match="Kemeja Batik"):
        place(shop)


# --- payment and fulfilment -------------------------------------------------------------------------


def test_transfer_confirmed_then_orders_fulfilled_to_completion(shop):
    group = place(shop)
    payments.confirm_transfer(group.payment, shop["admin"])
    keripik, batik = group.orders
    assert group.payment.status == "paid" and keripik.status == batik.status == "new"
    orders.accept(keripik, shop["pamulang"], actor_id=shop["pamulang"].user_id)
    orders.ship(keripik, shop["pamulang"], actor_id=shop["pamulang"].user_id, courier="", tracking_number="")
    orders.confirm_receipt(keripik, shop["shopper"])
    assert keripik.status == "completed" and keripik.completed_at is not None
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "seller_order",
                                                                 AuditEvent.object_id == str(keripik.id))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["order.placed", "order.new", "order.accepted", "order.shipped", "order.completed"]
    # The seller of the Pamulang order is told about the new order, the shopper about each step.
    assert verify_chain().ok


def test_a_courier_shipment_needs_a_tracking_number(shop):
    group = place(shop)
    payments.confirm_transfer(group.payment, shop["admin"])
    batik = group.orders[1]
    orders.accept(batik, shop["serpong"], actor_id=shop["serpong"].user_id)
    with pytest.raises(ValidationFailed, match="resi"):
        orders.ship(batik, shop["serpong"], actor_id=shop["serpong"].user_id, courier="JNE", tracking_number=" ")
    db.session.rollback()
    assert db.session.get(Order, batik.id).status == "accepted"


def test_only_the_admin_or_the_only_seller_confirms_a_transfer(shop):
    group = place(shop)
    # Two sellers in this checkout: neither confirms the whole amount alone.
    with pytest.raises(DomainError):
        payments.confirm_transfer(group.payment, shop["pamulang"].user)
    with pytest.raises(DomainError):
        payments.confirm_transfer(group.payment, shop["shopper"])
    assert group.payment.status == "pending"


def test_every_move_outside_the_tables_is_refused(shop):
    group = place(shop)
    keripik = group.orders[0]
    seller = shop["pamulang"]
    with pytest.raises(InvalidTransition):
        orders.accept(keripik, seller, actor_id=seller.user_id)  # not paid yet
    with pytest.raises(InvalidTransition):
        orders.confirm_receipt(keripik, shop["shopper"])
    db.session.rollback()
    payments.confirm_transfer(group.payment, shop["admin"])
    with pytest.raises(InvalidTransition):
        payments.confirm_transfer(group.payment, shop["admin"])
    with pytest.raises(InvalidTransition):
        orders.ship(keripik, seller, actor_id=seller.user_id, courier="", tracking_number="")  # not accepted
    db.session.rollback()
    orders.accept(keripik, seller, actor_id=seller.user_id)
    with pytest.raises(InvalidTransition):
        orders.reject(keripik, seller, actor_id=seller.user_id, reason="habis")  # too late: accepted
    db.session.rollback()
    assert db.session.get(Order, keripik.id).status == "accepted"


@pytest.mark.parametrize("machine", ["payment", "order"])
def test_transition_tables_allow_exactly_their_moves(machine, app):
    table = states.TABLES[machine]
    every = set(table) | {t for targets in table.values() for t in targets}
    for current in every:
        for target in every:
            assert states.allowed(machine, current, target) == (target in table.get(current, set()))


def test_a_seller_cannot_move_another_sellers_order(shop):
    group = place(shop)
    payments.confirm_transfer(group.payment, shop["admin"])
    with pytest.raises(NotFound):
        orders.accept(group.orders[1], shop["pamulang"], actor_id=shop["pamulang"].user_id)
    with pytest.raises(NotFound):
        orders.seller_order(shop["pamulang"], group.orders[1].number)


def test_rejecting_a_paid_order_returns_stock_and_records_the_refund(shop):
    group = place(shop)
    payments.confirm_transfer(group.payment, shop["admin"])
    batik = group.orders[1]
    with pytest.raises(ValidationFailed):
        orders.reject(batik, shop["serpong"], actor_id=shop["serpong"].user_id, reason="")
    db.session.rollback()
    orders.reject(batik, shop["serpong"], actor_id=shop["serpong"].user_id, reason="Ukuran habis")
    assert batik.status == "rejected" and batik.refunded_amount == batik.total
    assert group.payment.status == "partially_refunded" and group.payment.refunded_amount == 262_000
    assert stock_of(shop["batik"]) == 3 and stock_of(shop["keripik"]) == 8
    # The other order goes on; cancelling it too refunds the rest.
    orders.cancel_by_shopper(group.orders[0], shop["shopper"])
    assert group.payment.status == "refunded" and group.payment.refunded_amount == group.total
    assert stock_of(shop["keripik"]) == 10


def test_cancelling_an_unpaid_order_cancels_the_whole_checkout(shop):
    group = place(shop)
    orders.cancel_by_shopper(group.orders[0], shop["shopper"])
    assert group.payment.status == "cancelled"
    assert [o.status for o in group.orders] == ["cancelled", "cancelled"]
    assert stock_of(shop["keripik"]) == 10 and stock_of(shop["batik"]) == 3


def test_a_shipped_order_cannot_be_cancelled(shop):
    group = place(shop)
    payments.confirm_transfer(group.payment, shop["admin"])
    keripik = group.orders[0]
    orders.accept(keripik, shop["pamulang"], actor_id=shop["pamulang"].user_id)
    orders.ship(keripik, shop["pamulang"], actor_id=shop["pamulang"].user_id, courier="", tracking_number="")
    with pytest.raises(InvalidTransition):
        orders.cancel_by_shopper(keripik, shop["shopper"])
    with pytest.raises(NotFound):
        orders.cancel_by_shopper(keripik, gen_user())


def test_unpaid_transfers_expire_and_their_stock_returns(shop, app):
    group = place(shop)
    assert payments.expire_due() == 0
    assert payments.expire_due(utcnow() + timedelta(hours=app.config["TRANSFER_EXPIRY_HOURS"], minutes=1)) == 1
    db.session.expire_all()
    group = db.session.get(OrderGroup, group.id)
    assert group.payment.status == "expired"
    assert [o.status for o in group.orders] == ["cancelled", "cancelled"]
    assert stock_of(shop["keripik"]) == 10 and stock_of(shop["batik"]) == 3
    with pytest.raises(InvalidTransition):
        payments.confirm_transfer(group.payment, shop["admin"])


def test_shipped_orders_complete_on_their_own_after_the_set_days(shop, app):
    group = place(shop)
    payments.confirm_transfer(group.payment, shop["admin"])
    keripik = group.orders[0]
    orders.accept(keripik, shop["pamulang"], actor_id=shop["pamulang"].user_id)
    orders.ship(keripik, shop["pamulang"], actor_id=shop["pamulang"].user_id, courier="", tracking_number="")
    days = app.config["AUTO_COMPLETE_DAYS"]
    assert orders.complete_due(utcnow() + timedelta(days=days - 1)) == 0
    assert orders.complete_due(utcnow() + timedelta(days=days, minutes=1)) == 1
    db.session.expire_all()
    assert db.session.get(Order, keripik.id).status == "completed"


# --- parallel buyers ------------------------------------------------------------------------------


def test_fifty_parallel_buyers_for_the_last_ten_units(app):
    """50 shoppers in threads (each its own connection) check out 1 of the last 10 units at the
    same moment: exactly 10 orders, the others told the stock ran out, stock never negative."""
    seller = gen_seller()
    product = gen_product(seller=seller, title="Dodol Betawi", price=20_000, stock=10)
    db.session.add(DeliveryOption(seller_id=seller.id, kind="pickup", name="Ambil di toko", fee=0))
    buyers = []
    for _ in range(50):
        user = gen_user()
        buyers.append((user.id, gen_address(user).id))
    db.session.commit()
    variant_id = product.variants[0].id
    for user_id, _address in buyers:
        db.session.add(Cart(user_id=user_id))
    db.session.commit()
    for user_id, _address in buyers:
        carts.add_item(user_id=user_id, token=None, variant_id=variant_id, quantity=1)

    barrier = threading.Barrier(len(buyers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy(user_id: int, address_id: int) -> None:
        with app.app_context():
            # All start together; each takes a pooled connection only then (the pool has fewer
            # connections than buyers, as a server has fewer than its visitors: they queue).
            barrier.wait(timeout=60)
            try:
                user = db.session.get(User, user_id)
                address = db.session.get(Address, address_id)
                cart = carts.cart_for(user_id=user_id)
                checkout.place_order(user=user, cart=cart, address=address, chosen={}, method="transfer",
                                     expected_total=20_000, checkout_token=f"t{user_id}")
                result = "ok"
            except (OutOfStock, ValidationFailed) as error:
                db.session.rollback()
                result = "habis" if "tidak mencukupi" in str(error.message) or "Stok" in str(error.message) else str(error.message)
            except Exception as error:  # noqa: BLE001 - the test reports any other failure below
                db.session.rollback()
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=buy, args=b) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(set(outcomes)) == ["habis", "ok"], outcomes
    assert outcomes.count("ok") == 10 and outcomes.count("habis") == 40
    db.session.expire_all()
    assert db.session.get(ProductVariant, variant_id).stock == 0
    assert db.session.get(Product, product.id).stock == 0
    assert db.session.scalar(select(func.count(Order.id))) == 10
    assert verify_chain().ok


def test_a_seller_cannot_buy_its_own_products(shop):
    seller = shop["pamulang"]
    with pytest.raises(ValidationFailed, match="toko Anda sendiri"):
        carts.add_item(user_id=seller.user_id, token=None, variant_id=shop["keripik"].variants[0].id, quantity=1)
    # Put in a cart as a guest and merged at login: the cart says so and checkout refuses it.
    carts.add_item(user_id=None, token="guest", variant_id=shop["keripik"].variants[0].id, quantity=1)
    carts.merge_guest_cart("guest", seller.user_id)
    review = carts.review(carts.cart_for(user_id=seller.user_id))
    assert [line.problem for line in review.lines] == ["Ini produk toko Anda sendiri; produk ini tidak dapat Anda beli."]
    assert not review.can_checkout


def test_made_to_order_products_need_no_stock_and_take_none(shop):
    """A tumpeng made to order has no stock: it can be ordered all the same, checkout leaves the
    stock alone, and cancelling gives nothing back."""
    tumpeng = gen_product(seller=shop["pamulang"], title="Nasi Tumpeng", price=350_000, stock=0,
                          made_to_order=True, lead_time_days=2)
    db.session.commit()
    carts.add_item(user_id=shop["shopper"].id, token=None, variant_id=tumpeng.variants[0].id, quantity=3)
    group = place(shop)
    assert [(i.title, i.stock_reserved) for i in group.orders[0].items] == [("Keripik Singkong Pedas", True), ("Nasi Tumpeng", False)]
    assert stock_of(tumpeng) == 0
    orders.cancel_by_shopper(group.orders[0], shop["shopper"])
    assert stock_of(tumpeng) == 0 and stock_of(shop["keripik"]) == 10
