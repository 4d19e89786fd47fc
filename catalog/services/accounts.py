"""Accounts: registration, log-in checks, password rules, password change and reset, profile."""

import hashlib
import re
import secrets
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from catalog.extensions import db
from catalog.models.base import utcnow
from catalog.models.users import ROLE_SHOPPER, User
from catalog.services.errors import DomainError, ValidationFailed

SUPPORTED_LOCALES = ("id", "en")

NAME_MAX = 120
EMAIL_MAX = 254
PHONE_MAX = 20
PASSWORD_MIN = 8
PASSWORD_MAX = 128

RESET_SALT = "password-reset"

# Passwords that top every leaked-password list, in Indonesia too. Compared case-insensitively
# and exactly: a short local list catches the worst choices without shipping a breach corpus.
COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword",
        "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000",
        "qwerty123", "qwertyuiop", "qwerty12", "1q2w3e4r", "asdfghjkl", "abc12345", "abcd1234",
        "iloveyou", "sayang123", "sayangku", "bismillah", "indonesia", "indonesia123",
        "katasandi", "katasandi123", "rahasia123", "rahasia1", "admin123", "administrator",
        "jakarta123", "tangerang", "tangerang123", "merdeka45", "umkm1234", "katalogumkm",
        "katalogumkm123",
    }
)


class InvalidCredentials(DomainError):
    """Unknown email or wrong password: one message for both, so addresses cannot be probed."""


class AccountInactive(DomainError):
    """The password is right but the Dinas has switched the account off."""


class InvalidResetToken(DomainError):
    """A reset link that was tampered with, already used, or belongs to no active account."""


class ExpiredResetToken(InvalidResetToken):
    """A reset link older than PASSWORD_RESET_MAX_AGE."""


# --- input rules (pure functions, also used by the forms to show every problem at once) ---


def normalise_email(raw: str | None) -> str:
    """A syntactically valid address, lower-cased as stored; ValidationFailed otherwise."""
    value = (raw or "").strip()
    if not value:
        raise ValidationFailed(_l("Email wajib diisi."), field="email")
    if len(value) > EMAIL_MAX:
        raise ValidationFailed(_l("Email paling banyak %(max)d karakter.", max=EMAIL_MAX), field="email")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(
            _l("Masukkan alamat email yang valid, misalnya nama@contoh.id."), field="email"
        ) from None
    return result.normalized.lower()


def password_problem(password: str | None, email: str | None = None):
    """The first rule a new password breaks (a translated message), or None when it is fine."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        return _l("Kata sandi minimal %(min)d karakter.", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _l("Kata sandi paling banyak %(max)d karakter.", max=PASSWORD_MAX)
    if password.isdigit():
        return _l("Kata sandi tidak boleh hanya berisi angka. Tambahkan huruf atau simbol.")
    lowered = password.lower()
    personal = set()
    if email and "@" in email:
        local = email.strip().lower().rsplit("@", 1)[0]
        personal = {email.strip().lower(), local}
        # "budi.santoso2024" is as guessable as the address itself.
        if len(local) >= 4 and lowered.rstrip("0123456789") == local:
            return _l("Kata sandi tidak boleh sama dengan alamat email Anda.")
    if lowered in personal:
        return _l("Kata sandi tidak boleh sama dengan alamat email Anda.")
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        return _l("Kata sandi ini terlalu umum dan mudah ditebak. Pilih kata sandi lain.")
    return None


def check_new_password(password: str | None, email: str | None = None) -> None:
    problem = password_problem(password, email)
    if problem is not None:
        raise ValidationFailed(problem, field="password")


_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")


def normalise_phone(raw: str | None) -> str | None:
    """Indonesian numbers in international form: '0812-3456-7890' → '+6281234567890'.

    Spaces, dashes, dots and brackets are accepted as typed and dropped; anything else but
    digits and a leading '+' is refused. Empty input means "no phone number".
    """
    value = _PHONE_SEPARATORS.sub("", raw or "")
    if not value:
        return None
    if len((raw or "").strip()) > PHONE_MAX:
        raise ValidationFailed(_l("Nomor telepon paling banyak %(max)d karakter.", max=PHONE_MAX), field="phone")
    if not re.fullmatch(r"\+?\d+", value):
        raise ValidationFailed(_l("Nomor telepon hanya boleh berisi angka dan tanda +."), field="phone")
    if value.startswith("+620"):
        value = "+62" + value[4:]  # "+62 0812…" keeps the trunk zero by mistake
    elif value.startswith("+"):
        pass
    elif value.startswith("62"):
        value = "+" + value
    elif value.startswith("0"):
        value = "+62" + value[1:]
    elif value.startswith("8"):
        value = "+62" + value
    else:
        value = ""
    digits = value[1:]
    if not (9 <= len(digits) <= 15) or digits.startswith("0"):
        raise ValidationFailed(_l("Nomor telepon tidak valid. Contoh: 0812 3456 7890."), field="phone")
    return value


def clean_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise ValidationFailed(_l("Nama wajib diisi."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(_l("Nama paling banyak %(max)d karakter.", max=NAME_MAX), field="name")
    return name


def clean_locale(raw: str | None) -> str:
    if raw not in SUPPORTED_LOCALES:
        raise ValidationFailed(_l("Bahasa yang dipilih tidak tersedia."), field="locale")
    return raw


# --- look-ups ---


def find_user_by_email(raw: str | None) -> User | None:
    """The account for an address as typed (any case); None when there is none."""
    try:
        email = normalise_email(raw)
    except ValidationFailed:
        # Login accepts whatever was stored; only registration enforces the syntax.
        email = User.normalise_email(raw or "")
    if not email:
        return None
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def email_taken(email: str) -> bool:
    return db.session.execute(select(User.id).where(User.email == email)).first() is not None


# --- actions ---


def register_user(*, name: str, email: str, password: str, phone: str | None = None,
                  locale: str = "id") -> User:
    """Create a shopper account. Raises ValidationFailed naming the field at fault."""
    name = clean_name(name)
    email = normalise_email(email)
    phone = normalise_phone(phone)
    check_new_password(password, email)
    locale = locale if locale in SUPPORTED_LOCALES else "id"
    duplicate = ValidationFailed(_l("Email ini sudah terdaftar. Silakan masuk atau gunakan email lain."),
                                 field="email")
    if email_taken(email):
        raise duplicate
    user = User(name=name, email=email, phone=phone, role=ROLE_SHOPPER, locale=locale, active=True)
    user.set_password(password)
    user.last_login_at = utcnow()
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Two sign-ups with the same address at once: the unique index decides.
        db.session.rollback()
        raise duplicate from None
    return user


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def authenticate(email: str, password: str) -> User:
    """The account for these credentials, with last_login_at recorded.

    Raises InvalidCredentials (same message for an unknown address and a wrong password) or
    AccountInactive (only once the password is right, so the state of strangers' accounts
    does not leak).
    """
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so response times do not reveal which addresses exist.
        check_password_hash(_dummy_hash(), password or "")
        raise InvalidCredentials(_l("Email atau kata sandi salah."))
    if not user.check_password(password or ""):
        raise InvalidCredentials(_l("Email atau kata sandi salah."))
    if not user.active:
        raise AccountInactive(_l("Akun Anda sedang dinonaktifkan. Hubungi Admin Dinas untuk mengaktifkannya kembali."))
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> User:
    """Set a new password after checking the current one. Rotates the session token, which
    logs out every other session and remember-me cookie (the caller logs this one in again)."""
    if not user.check_password(current_password or ""):
        raise ValidationFailed(_l("Kata sandi saat ini salah."), field="current_password")
    check_new_password(new_password, user.email)
    if user.check_password(new_password):
        raise ValidationFailed(_l("Kata sandi baru harus berbeda dari kata sandi saat ini."), field="password")
    user.set_password(new_password)
    db.session.commit()
    return user


def update_profile(user: User, *, name: str, phone: str | None, locale: str) -> User:
    # Check everything before touching the row, so a refusal leaves the account as it was.
    name, phone, locale = clean_name(name), normalise_phone(phone), clean_locale(locale)
    user.name, user.phone, user.locale = name, phone, locale
    db.session.commit()
    return user


def set_locale(user: User, locale: str) -> User:
    user.locale = clean_locale(locale)
    db.session.commit()
    return user


# --- password reset ---


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Any password change alters the hash, so a used (or outdated) link stops matching.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def user_for_password_reset(email: str) -> User | None:
    """The active account a reset link may be sent to, or None (the caller answers the same)."""
    user = find_user_by_email(email)
    return user if user is not None and user.active else None


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def verify_reset_token(token: str, max_age: int | None = None) -> User:
    """The account a reset link belongs to. Raises ExpiredResetToken or InvalidResetToken."""
    if max_age is None:
        max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    invalid = InvalidResetToken(
        _l("Tautan atur ulang kata sandi tidak sah atau sudah pernah dipakai. Silakan minta tautan baru.")
    )
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ExpiredResetToken(
            _l("Tautan atur ulang kata sandi sudah kedaluwarsa. Silakan minta tautan baru.")
        ) from None
    except BadData:
        raise invalid from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int) or not isinstance(data.get("fp"), str):
        raise invalid
    user = db.session.get(User, data["uid"])
    if user is None or not user.active or not secrets.compare_digest(data["fp"], _password_fingerprint(user)):
        raise invalid
    return user


def reset_password(token: str, new_password: str, max_age: int | None = None) -> User:
    """Set a new password through a reset link; the link cannot be used again afterwards."""
    user = verify_reset_token(token, max_age)
    check_new_password(new_password, user.email)
    user.set_password(new_password)
    db.session.commit()
    return user
