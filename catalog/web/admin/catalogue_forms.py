"""Admin forms for catalogue care: categories (edit, reorder, merge, delete) and listing
moderation (hide with a reason, restore). The rules live in services/category_admin.py and
services/moderation.py; the forms carry what was typed back to the right box."""

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length

from catalog.services import category_admin
from catalog.services.delivery import MAX_ID
from catalog.services.errors import DomainError, NotFound
from catalog.services.verification import REASON_MAX


def optional_id(value):
    """A select's value as an id: "" → None, a forged non-number → 0 (found nowhere)."""
    if value in (None, "") or isinstance(value, int):
        return value if value != "" else None
    text = str(value).strip()
    # ASCII digits only ("²" is a digit to str.isdigit but not to int()), within the id column.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else 0


class DomainErrorsMixin:
    def add_domain_error(self, error) -> None:
        """A service's refusal on the field it names, else above the buttons."""
        errors = getattr(error, "errors", None) or {getattr(error, "field", None): error.message}
        for name, message in errors.items():
            field = self._fields.get(name) if name else None
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]

    @property
    def general_errors(self) -> list:
        return [*self.form_errors, *self.errors.get("csrf_token", [])]


def submit(form, action: Callable[[], Any], on_success: Callable[[Any], Any]) -> tuple[Any, int]:
    """A posted form through one service call: (on_success(result), 302) when it went through;
    (None, status) when it was refused, with the message on the form: 400 for unreadable or
    missing input, 409 for a state that does not allow it. An unknown object is a 404."""
    if not form.validate_on_submit():
        return None, 400
    try:
        result = action()
    except NotFound:
        abort(404)
    except DomainError as error:
        form.add_domain_error(error)
        return None, 400 if error.field or getattr(error, "errors", None) else 409
    return on_success(result), 302


class CategoryForm(DomainErrorsMixin, FlaskForm):
    name = StringField(_l("Nama kategori"), validators=[Length(max=200, message=_l("Nama kategori terlalu panjang."))],
                       description=_l("Contoh: Keripik & Camilan"))
    name_en = StringField(_l("Nama dalam bahasa Inggris"),
                          validators=[Length(max=200, message=_l("Nama Inggris terlalu panjang."))],
                          description=_l("Untuk tampilan berbahasa Inggris. Boleh dikosongkan."))
    parent_id = SelectField(_l("Letak"), coerce=optional_id, validate_choice=False)
    icon = SelectField(_l("Ikon"), validate_choice=False)
    is_featured = BooleanField(_l("Tampilkan di beranda"),
                               description=_l("Hanya untuk kategori utama: muncul di deretan kategori beranda."))

    def set_choices(self, tops, current=None) -> None:
        """`tops`: the top categories a child may go under (the category itself left out)."""
        self.parent_id.choices = [("", _l("Kategori utama (tingkat pertama)"))] + [
            (top.id, _l("Subkategori dari %(name)s", name=top.name)) for top in tops
            if current is None or top.id != current.id
        ]
        icons = [(name, label) for name, label in category_admin.ICONS.items()]
        if current is not None and current.icon and current.icon not in category_admin.ICONS:
            icons.insert(0, (current.icon, _l("%(name)s (ikon sekarang)", name=current.icon)))
        self.icon.choices = icons

    def to_data(self) -> category_admin.CategoryData:
        return category_admin.CategoryData(
            name=self.name.data or "", name_en=self.name_en.data or "", icon=self.icon.data or "",
            is_featured=bool(self.is_featured.data), parent_id=self.parent_id.data,
        )


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf((category_admin.UP, category_admin.DOWN),
                                              message=_l("Arah urutan tidak dikenal."))])


class MergeForm(DomainErrorsMixin, FlaskForm):
    target_id = SelectField(_l("Gabungkan ke"), coerce=optional_id, validate_choice=False,
                            description=_l("Produk (dan subkategori) pindah ke kategori ini, lalu kategori asal "
                                           "dihapus. Tidak dapat dibatalkan."))


class ConfirmForm(DomainErrorsMixin, FlaskForm):
    """A button with nothing to type: deleting an empty category."""


class HideForm(DomainErrorsMixin, FlaskForm):
    reason = TextAreaField(
        _l("Alasan (wajib, dikirim ke penjual)"),
        validators=[Length(max=REASON_MAX, message=_l("Alasan terlalu panjang: maksimal %(max)d karakter."))],
        description=_l("Sebutkan yang harus diperbaiki penjual, misalnya: foto memuat nomor telepon, "
                       "atau produk tidak boleh dijual."),
    )


class RestoreForm(DomainErrorsMixin, FlaskForm):
    reason = TextAreaField(
        _l("Catatan (boleh dikosongkan)"),
        validators=[Length(max=REASON_MAX, message=_l("Catatan terlalu panjang: maksimal %(max)d karakter."))],
        description=_l("Dicatat di jejak audit."),
    )
