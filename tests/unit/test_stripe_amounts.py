"""Rupiah ↔ Stripe amounts: Stripe counts IDR with two decimals, so Rp 15.000 is 1500000."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.services.stripe_gateway import from_stripe_amount, to_stripe_amount


@pytest.mark.parametrize(("rupiah", "stripe_amount"), [
    (0, 0),
    (1, 100),
    (15_000, 1_500_000),
    (1_250_000, 125_000_000),
    (200_000_000, 20_000_000_000),  # Rp 200 juta, the largest single procurement order
])
def test_rupiah_become_hundredths_for_stripe(rupiah, stripe_amount):
    assert to_stripe_amount(rupiah) == stripe_amount
    assert from_stripe_amount(stripe_amount) == rupiah


@given(st.integers(min_value=0, max_value=10**13))
def test_conversion_round_trips(rupiah):
    assert from_stripe_amount(to_stripe_amount(rupiah)) == rupiah


def test_stripe_sen_are_dropped_never_rounded_up():
    assert from_stripe_amount(150) == 1
    assert from_stripe_amount(99) == 0


@pytest.mark.parametrize("convert", [to_stripe_amount, from_stripe_amount])
def test_negative_amounts_are_refused(convert):
    with pytest.raises(ValueError):
        convert(-1)


@pytest.mark.parametrize("convert", [to_stripe_amount, from_stripe_amount])
@pytest.mark.parametrize("value", [15000.0, 1.5, "15000", None, True])
def test_anything_but_an_int_is_refused(convert, value):
    with pytest.raises(TypeError):
        convert(value)
