"""RupiahField and QuantityField read Indonesian numbers, keep wrong input and show one message."""

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired, NumberRange, Optional

from catalog.web.fields import QuantityField, RupiahField


class ListingForm(Form):
    price = RupiahField("Harga", validators=[InputRequired(message="Harga wajib diisi."),
                                             NumberRange(min=1, message="Harga minimal Rp1.")])
    stock = QuantityField("Stok", validators=[Optional()])


def submit(**fields) -> ListingForm:
    form = ListingForm(MultiDict(fields))
    form.validate()
    return form


def test_price_typed_with_rp_and_dots_is_read_as_integer_rupiah():
    form = submit(price="Rp 1.250.000", stock="1.000")
    assert form.validate()
    assert form.price.data == 1_250_000
    assert form.stock.data == 1_000


def test_price_with_cents_shows_the_parser_message_and_keeps_the_input():
    form = submit(price="15,5")
    assert not form.validate()
    assert [str(error) for error in form.price.errors] == [
        "Rupiah tidak memakai sen. Tulis angka bulat, misalnya 15.000."
    ]
    html = form.price()
    assert 'value="15,5"' in html
    assert 'aria-invalid="true"' in html


def test_negative_price_gets_one_message_not_a_second_from_the_range_validator():
    form = submit(price="-5000")
    assert [str(error) for error in form.price.errors] == ["Nominal tidak boleh negatif."]


def test_html_in_a_price_field_is_refused_and_escaped_when_shown_again():
    form = submit(price='"><script>alert(1)</script>')
    assert form.price.errors
    assert "<script>" not in form.price()


def test_empty_price_uses_the_required_message():
    form = submit(price="  ")
    assert [str(error) for error in form.price.errors] == ["Harga wajib diisi."]


def test_zero_price_is_a_number_for_the_range_validator_to_judge():
    form = submit(price="0")
    assert [str(error) for error in form.price.errors] == ["Harga minimal Rp1."]


def test_optional_quantity_may_be_left_empty():
    form = submit(price="15000", stock="")
    assert form.validate()
    assert form.stock.data is None


def test_quantity_with_decimals_is_refused():
    form = submit(price="15000", stock="2,5")
    assert [str(error) for error in form.stock.errors] == ["Jumlah harus berupa angka bulat, tanpa koma."]


def test_fields_render_as_numeric_text_inputs_for_phone_keypads():
    html = ListingForm()["price"]()
    assert 'type="text"' in html
    assert 'inputmode="numeric"' in html
    assert "aria-invalid" not in html


def test_stored_amount_is_shown_with_thousand_dots_when_editing():
    form = ListingForm(data={"price": 1_250_000, "stock": 12})
    assert 'value="1.250.000"' in form.price()
    assert 'value="12"' in form.stock()


def test_field_works_in_a_flask_form_on_a_real_request(app):
    class PriceForm(FlaskForm):
        class Meta:
            csrf = False

        price = RupiahField("Harga", validators=[InputRequired(message="Harga wajib diisi.")])

    with app.test_request_context("/", method="POST", data={"price": "15,000"}):
        form = PriceForm()
        assert not form.validate_on_submit()
        assert [str(error) for error in form.price.errors] == [
            "Gunakan titik untuk ribuan, misalnya 15.000 (bukan 15,000)."
        ]
