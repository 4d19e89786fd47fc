"""WTForms fields for numbers written the Indonesian way: Rupiah amounts and whole quantities.

They read "Rp 15.000" or "1.000" through services/money.py, keep what the user typed when it is
wrong (so the form comes back with the input and a message beside it), and show a stored value
as "15.000" when the form is filled from the database.
"""

from collections.abc import Callable

from markupsafe import Markup
from wtforms.fields import Field
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from catalog.formatting import angka
from catalog.services.errors import ValidationFailed
from catalog.services.money import parse_quantity, parse_rupiah


class NumericTextInput(TextInput):
    """A text input (so "15.000" and "Rp" can be typed) that opens the number pad on phones.

    type="number" is avoided on purpose: browsers refuse or silently drop "15.000" there.
    """

    def __call__(self, field: Field, **kwargs) -> Markup:
        kwargs.setdefault("inputmode", "numeric")
        kwargs.setdefault("autocomplete", "off")
        if field.errors:
            kwargs.setdefault("aria-invalid", "true")
        return super().__call__(field, **kwargs)


class _ParsedIntegerField(Field):
    """An integer field whose text is read by a services/money.py parser.

    Empty input leaves `data` as None and no error, so the validators decide: pair it with
    InputRequired(message=...) or Optional(). (DataRequired would refuse a legitimate 0.)
    """

    widget = NumericTextInput()
    parser: Callable[[str], int]

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and not valuelist[0].strip():
            # Blank counts as empty for InputRequired too, which looks at the raw text.
            self.raw_data = [""]
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = type(self).parser(valuelist[0])
        except ValidationFailed as exc:
            self.data = None
            raise ValueError(exc.message) from exc

    def pre_validate(self, form) -> None:
        # The parser already said what is wrong; range validators would only add a second,
        # vaguer message about the missing value.
        if self.process_errors:
            raise StopValidation()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else angka(self.data)


class RupiahField(_ParsedIntegerField):
    """Integer Rupiah: accepts "15000", "15.000", "Rp15.000", "rp. 1.250.000", "15.000,-".

    Add NumberRange(min=..., message=...) for a lower bound such as a price of at least Rp1.
    """

    parser = staticmethod(parse_rupiah)


class QuantityField(_ParsedIntegerField):
    """A whole, non-negative number such as stock or minimum order: "12", "1.000"."""

    parser = staticmethod(parse_quantity)
