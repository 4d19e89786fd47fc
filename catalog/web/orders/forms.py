"""Forms of the shopper's order pages: the transfer proof, cancelling (optional reason) and the
review form (one block per order line, built for the order).

The rules (what a proof may contain, which rating is allowed, who may cancel) live in the
services; the forms carry what was typed back to the right box."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, StopValidation

from catalog.models import OrderItem
from catalog.services.orders import REASON_MAX
from catalog.services.reviews import BODY_MAX
from catalog.services.uploads import ACCEPT_DOCUMENTS, ACCEPT_IMAGES

STARS = tuple(range(1, 6))


class ProofForm(FlaskForm):
    proof = FileField(
        _l("Unggah bukti transfer"),
        description=_l("Foto atau tangkapan layar struk transfer (JPG, PNG, WebP) atau PDF dari m-banking, maksimal 10 MB."),
        validators=[FileRequired(_l("Pilih foto atau PDF bukti transfer."))],
        render_kw={"accept": ACCEPT_DOCUMENTS},
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan pembatalan (boleh dikosongkan)"),
        description=_l("Dikirim ke penjual."),
        validators=[Optional(), Length(max=REASON_MAX, message=_l("Alasan paling banyak %(max)d karakter.", max=REASON_MAX))],
    )


class StarsField(RadioField):
    """1–5 stars. Anything else sent (nothing, text, 9) leaves `data` None, and the form says
    "choose the stars" instead of WTForms' own English message."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=[SelectChoice(n, str(n)) for n in STARS], coerce=int, validate_choice=False,
                         **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            text = str(valuelist[0]).strip()
            if text.isdigit() and int(text) in STARS:
                self.data = int(text)


def stars_required(_form, field) -> None:
    if field.data is None:
        raise StopValidation(_l("Pilih 1 sampai 5 bintang."))


def _body_field(label):
    return TextAreaField(label, validators=[Optional(), Length(max=BODY_MAX, message=_l(
        "Ulasan paling banyak %(max)d karakter.", max=BODY_MAX))], render_kw={"maxlength": BODY_MAX, "rows": 3})


class ReviewFormBase(FlaskForm):
    seller_rating = StarsField(_l("Penilaian untuk penjual"), validators=[stars_required])
    seller_body = _body_field(_l("Ulasan tentang penjual (boleh dikosongkan)"))

    item_ids: list[int] = []

    def lines(self):
        """(item id, stars field, text field, photo field) per order line, in order."""
        return [(item_id, self[f"rating_{item_id}"], self[f"body_{item_id}"], self[f"photo_{item_id}"])
                for item_id in self.item_ids]

    def photo_of(self, item_id: int):
        """The uploaded file of a line, or None when no file was chosen."""
        data = self[f"photo_{item_id}"].data
        return data if data is not None and getattr(data, "filename", "") else None

    def add_domain_error(self, error) -> None:
        """Show a service's refusal beside the box it names, else above the form (as plain text:
        messages may quote a product title, and a lazy string would be rendered unescaped)."""
        field = self._fields.get(error.field or "")
        if field is not None:
            field.errors = [*field.errors, str(error.message)]
        else:
            self.form_errors.append(str(error.message))


def review_form(items: list[OrderItem], **kwargs) -> ReviewFormBase:
    """A review form with stars, text and a photo for each of `items`."""
    attrs = {"item_ids": [item.id for item in items]}
    for item in items:
        # str(): a lazy label holding the seller's title would be rendered unescaped.
        attrs[f"rating_{item.id}"] = StarsField(str(_l("Penilaian untuk %(title)s", title=item.title)),
                                                validators=[stars_required])
        attrs[f"body_{item.id}"] = _body_field(_l("Ulasan (boleh dikosongkan)"))
        attrs[f"photo_{item.id}"] = FileField(_l("Foto barang (boleh dikosongkan)"),
                                              description=_l("JPG, PNG atau WebP, maksimal 10 MB."),
                                              render_kw={"accept": ACCEPT_IMAGES})
    form_class = type("ReviewForm", (ReviewFormBase,), attrs)
    return form_class(**kwargs)
