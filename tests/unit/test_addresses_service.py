"""services/addresses.py: the address book's rules (Tangerang Raya regions only, a mobile number
for the courier, a 5-digit postal code), the default address, and choosing one for checkout."""

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import Address
from catalog.services import addresses
from catalog.services.errors import ValidationFailed
from tests.factories import KEC_PAMULANG, KEC_SERPONG, KOTA_TANGERANG, KOTA_TANGSEL, gen_address, gen_user

KEL_BENDA_BARU = "36.74.06.1002"  # in Pamulang
KEL_CIATER = "36.74.01.1001"  # in Serpong


def data(**overrides) -> addresses.AddressData:
    values = {"recipient": "Rina Wati", "phone": "0812-3456-7890", "kota": KOTA_TANGSEL, "kecamatan": KEC_PAMULANG,
              "kelurahan": KEL_BENDA_BARU, "detail": "Jl. Merpati Raya No. 12, RT 03/RW 07",
              "postal_code": "15416", "label": "Rumah"}
    values.update(overrides)
    return addresses.AddressData(**values)


def count(user) -> int:
    return db.session.scalar(select(func.count(Address.id)).where(Address.user_id == user.id))


def test_an_address_is_stored_cleaned_and_the_first_becomes_the_default(app):
    user = gen_user()
    address = addresses.create(user, data(phone="+62 812 3456 7890", label="  Rumah   Ibu ", postal_code=" 15416 "))
    assert (address.phone, address.label, address.postal_code, address.is_default) == (
        "+6281234567890", "Rumah Ibu", "15416", True)
    assert address.kelurahan_code == KEL_BENDA_BARU


def test_a_later_address_is_not_the_default_unless_asked(app):
    user = gen_user()
    first = addresses.create(user, data())
    second = addresses.create(user, data(label="Kantor"))
    assert first.is_default and not second.is_default
    third = addresses.create(user, data(label="Gudang"), make_default=True)
    db.session.expire_all()
    assert [a.id for a in addresses.book(user.id) if a.is_default] == [third.id]
    addresses.set_default(second)
    db.session.expire_all()
    assert [a.id for a in addresses.book(user.id) if a.is_default] == [second.id]
    assert addresses.book(user.id)[0].id == second.id  # the default leads the book


@pytest.mark.parametrize("overrides, field", [
    ({"recipient": "   "}, "recipient"),
    ({"recipient": "x" * 121}, "recipient"),
    ({"phone": ""}, "phone"),
    ({"phone": "021-7412345"}, "phone"),  # a landline: couriers need a mobile
    ({"phone": "+1 415 555 0100"}, "phone"),
    ({"phone": "nomor saya"}, "phone"),
    ({"kota": "31.71", "kecamatan": "31.71.01"}, "kota"),  # Jakarta is not Tangerang Raya
    ({"kota": ""}, "kota"),
    ({"kecamatan": ""}, "kecamatan"),
    ({"kota": KOTA_TANGERANG}, "kecamatan"),  # Pamulang is not in Kota Tangerang
    ({"kelurahan": KEL_CIATER}, "kelurahan"),  # Ciater lies in Serpong
    ({"kelurahan": "36.74.06.9999"}, "kelurahan"),
    ({"detail": ""}, "detail"),
    ({"detail": "x" * 256}, "detail"),
    ({"postal_code": "1541"}, "postal_code"),
    ({"postal_code": "15416-1"}, "postal_code"),
    ({"postal_code": "abcde"}, "postal_code"),
    ({"label": "x" * 41}, "label"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(app, overrides, field):
    user = gen_user()
    with pytest.raises(ValidationFailed) as refused:
        addresses.create(user, data(**overrides))
    assert refused.value.field == field
    assert str(refused.value.message)
    db.session.rollback()
    assert count(user) == 0


def test_the_kelurahan_and_postal_code_may_be_left_out(app):
    address = addresses.create(gen_user(), data(kelurahan=None, postal_code="", label=""))
    assert (address.kelurahan_code, address.postal_code, address.label) == (None, None, "")


def test_an_update_is_checked_like_a_new_address(app):
    user = gen_user()
    address = addresses.create(user, data())
    with pytest.raises(ValidationFailed):
        addresses.update(address, data(kecamatan=KEC_SERPONG, kelurahan=KEL_BENDA_BARU))
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Address, address.id).kecamatan_code == KEC_PAMULANG
    addresses.update(address, data(kecamatan=KEC_SERPONG, kelurahan=KEL_CIATER, phone="6281111111111"))
    db.session.expire_all()
    stored = db.session.get(Address, address.id)
    assert (stored.kecamatan_code, stored.kelurahan_code, stored.phone) == (KEC_SERPONG, KEL_CIATER, "+6281111111111")


def test_deleting_the_default_makes_the_newest_other_one_the_default(app):
    user = gen_user()
    first = addresses.create(user, data())
    addresses.create(user, data(label="Kantor"))
    newest = addresses.create(user, data(label="Gudang"))
    addresses.delete(first)
    db.session.expire_all()
    assert [(a.id, a.is_default) for a in addresses.book(user.id)][0] == (newest.id, True)
    assert count(user) == 2


def test_the_book_has_a_limit(app):
    user = gen_user()
    for _ in range(addresses.MAX_ADDRESSES):
        gen_address(user)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="Paling banyak"):
        addresses.create(user, data())


def test_pick_takes_the_chosen_own_address_else_the_default(app):
    user, stranger = gen_user(), gen_user()
    home = gen_address(user, is_default=True)
    office = gen_address(user, label="Kantor")
    theirs = gen_address(stranger)
    db.session.commit()
    book = addresses.book(user.id)
    assert addresses.pick(book, str(office.id)) is office
    assert addresses.pick(book, office.id) is office
    assert addresses.pick(book) is home
    assert addresses.pick(book, theirs.id) is home  # another user's id is no choice at all
    assert addresses.pick(book, "abc") is home
    assert addresses.pick([]) is None
