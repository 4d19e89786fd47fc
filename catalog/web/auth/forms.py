"""Account forms. Every validator carries its Indonesian message (WTForms has no Indonesian
catalogue); the password, email and phone rules come from services.accounts so the form and
the service can never disagree."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.fields import EmailField, TelField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional, ValidationError

from catalog.services import accounts
from catalog.services.errors import ValidationFailed

CSRF_MESSAGE = _l("Formulir sudah kedaluwarsa atau tidak sah. Silakan kirim ulang.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AccountBaseForm(FlaskForm):
    """A FlaskForm whose CSRF failure is a readable message on the form itself.

    The auth views are exempt from the global CSRFProtect check (which would answer with a
    bare 400 page and lose what was typed); this form still requires a valid token."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        token_field = self._fields.get(self.meta.csrf_field_name) if self.meta.csrf else None
        if token_field is not None and token_field.errors:
            token_field.errors = [CSRF_MESSAGE]
        return valid

    def add_error(self, field_name: str | None, message) -> None:
        """Attach a service's refusal to the field it names (or to the form as a whole)."""
        field = self._fields.get(field_name) if field_name else None
        if field is None:
            self.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]

    def add_domain_error(self, error) -> None:
        self.add_error(getattr(error, "field", None), error.message)

    @property
    def non_field_errors(self) -> list:
        errors = list(self.form_errors)
        token_field = self._fields.get(self.meta.csrf_field_name) if self.meta.csrf else None
        if token_field is not None:
            errors.extend(token_field.errors)
        return errors


# --- validators that reuse the service rules ---


class ValidEmail:
    def __call__(self, form, field):
        if field.errors:  # already too long: one message is enough
            return
        try:
            accounts.normalise_email(field.data)  # the service stores the normalised form; keep what was typed
        except ValidationFailed as error:
            raise ValidationError(str(error.message)) from None


class NewPassword:
    """The password rules; `email_field` names the field holding the address, if any."""

    def __init__(self, email_field: str | None = None):
        self.email_field = email_field

    def __call__(self, form, field):
        email = None
        if self.email_field:
            email = form[self.email_field].data
        elif getattr(form, "account_email", None):
            email = form.account_email
        problem = accounts.password_problem(field.data, email)
        if problem is not None:
            raise ValidationError(str(problem))


class Phone:
    def __call__(self, form, field):
        if field.errors:
            return
        try:
            accounts.normalise_phone(field.data)
        except ValidationFailed as error:
            raise ValidationError(str(error.message)) from None


def _name_field():
    return StringField(
        _l("Nama lengkap"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Nama wajib diisi.")),
            Length(max=accounts.NAME_MAX, message=_l("Nama paling banyak %(max)d karakter.", max=accounts.NAME_MAX)),
        ],
    )


def _phone_field():
    return TelField(
        _l("Nomor HP/WhatsApp (opsional)"),
        filters=[_strip],
        description=_l("Contoh: 0812 3456 7890. Dipakai penjual untuk menghubungi Anda soal pesanan."),
        validators=[
            Optional(),
            Length(max=accounts.PHONE_MAX,
                   message=_l("Nomor telepon paling banyak %(max)d karakter.", max=accounts.PHONE_MAX)),
            Phone(),
        ],
    )


def _email_field(check_format: bool = True):
    validators = [
        DataRequired(message=_l("Email wajib diisi.")),
        Length(max=accounts.EMAIL_MAX, message=_l("Email paling banyak %(max)d karakter.", max=accounts.EMAIL_MAX)),
    ]
    if check_format:
        validators.append(ValidEmail())
    return EmailField(_l("Email"), filters=[_strip], validators=validators)


def _new_password_field(label, email_field: str | None = None):
    return PasswordField(
        label,
        description=_l("Minimal 8 karakter, jangan hanya angka, dan hindari kata sandi yang mudah ditebak."),
        validators=[DataRequired(message=_l("Kata sandi wajib diisi.")), NewPassword(email_field)],
    )


def _confirm_field():
    return PasswordField(
        _l("Ulangi kata sandi"),
        validators=[
            DataRequired(message=_l("Ulangi kata sandi Anda.")),
            EqualTo("password", message=_l("Konfirmasi kata sandi tidak sama.")),
        ],
    )


# --- forms ---


class LoginForm(AccountBaseForm):
    email = _email_field(check_format=False)  # a typo gets the one "wrong email or password" answer
    password = PasswordField(
        _l("Kata sandi"),
        validators=[
            DataRequired(message=_l("Kata sandi wajib diisi.")),
            Length(max=accounts.PASSWORD_MAX,
                   message=_l("Kata sandi paling banyak %(max)d karakter.", max=accounts.PASSWORD_MAX)),
        ],
    )
    remember = BooleanField(_l("Ingat saya di perangkat ini"))
    next = HiddenField()


class RegisterForm(AccountBaseForm):
    name = _name_field()
    email = _email_field()
    phone = _phone_field()
    password = _new_password_field(_l("Kata sandi"), email_field="email")
    password_confirm = _confirm_field()
    next = HiddenField()


class AccountForm(AccountBaseForm):
    name = _name_field()
    phone = _phone_field()
    locale = SelectField(
        _l("Bahasa tampilan"),
        # Each language named in itself (an endonym), so nobody has to read a foreign word to find their own.
        choices=[SelectChoice("id", "Bahasa Indonesia", render_kw={"lang": "id"}),
                 SelectChoice("en", "English", render_kw={"lang": "en"})],
        validate_choice=False,  # AnyOf below gives the Indonesian message instead of WTForms' English one
        validators=[AnyOf(accounts.SUPPORTED_LOCALES, message=_l("Bahasa yang dipilih tidak tersedia."))],
    )


class ChangePasswordForm(AccountBaseForm):
    current_password = PasswordField(
        _l("Kata sandi saat ini"), validators=[DataRequired(message=_l("Masukkan kata sandi Anda saat ini."))]
    )
    password = _new_password_field(_l("Kata sandi baru"))
    password_confirm = _confirm_field()

    def __init__(self, *args, account_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ForgotPasswordForm(AccountBaseForm):
    email = _email_field()


class ResetPasswordForm(AccountBaseForm):
    password = _new_password_field(_l("Kata sandi baru"))
    password_confirm = _confirm_field()

    def __init__(self, *args, account_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class LanguageForm(FlaskForm):
    """The header's language switch. Its POST is checked by the global CSRFProtect."""

    class Meta:
        csrf = False

    lang = StringField(validators=[AnyOf(accounts.SUPPORTED_LOCALES, message=_l("Bahasa yang dipilih tidak tersedia."))])
    next = HiddenField()
