"""Seller onboarding and profile rules: the registration wizard steps, documents, submission for
verification, profile edits and renames, and the checklist of what a seller still has to do.

Every public function owns one transaction and raises a DomainError subclass with a translated
message (and the form field at fault) when a rule refuses; nothing is written then.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from catalog import storage
from catalog.extensions import db
from catalog.formatting import angka
from catalog.models.base import utcnow
from catalog.models.sellers import (
    CERTIFICATE_KINDS,
    DOC_BPOM,
    DOC_HALAL,
    DOC_NIB,
    DOC_PIRT,
    DOC_SNI,
    DOC_SUKET_PP55,
    SCALE_KECIL,
    SCALE_MENENGAH,
    SCALE_MIKRO,
    SCALES,
    STATUS_PENDING,
    STATUS_REJECTED,
    STATUS_SUSPENDED,
    STATUS_VERIFIED,
    Seller,
    SellerDocument,
    SellerSlugRedirect,
)
from catalog.models.users import ROLE_ADMIN, ROLE_SELLER, ROLE_SHOPPER, User
from catalog.services import accounts, audit, payout_account, regions, states, uploads
from catalog.services.errors import DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from catalog.services.identifiers import normalise_whatsapp, slugify, unique_slug, validate_nib, validate_npwp
from catalog.services.images import RENDITION_WIDTHS, store_renditions
from catalog.services.notifications import notify
from catalog.services.richtext import sanitise_description


@dataclass(frozen=True)
class ChecklistItem:
    """One thing a seller's profile needs (or should have), with where to fix it."""

    key: str
    label: object  # a lazy string: rendered in the reader's language
    done: bool
    endpoint: str
    required: bool = True  # False: recommended, not needed to be verified


# Items that must be done before the wizard can be sent for verification.
REQUIRED_KEYS = ("business", "location", "whatsapp", "nib_document", "bank")


def _has_nib_document(seller: Seller) -> bool:
    return any(d.kind == DOC_NIB and d.file_key for d in seller.documents)


def _has_certificate(seller: Seller) -> bool:
    return any(d.kind in CERTIFICATE_KINDS and d.is_valid for d in seller.documents)


def _wizard_finished(seller: Seller) -> bool:
    return seller.submitted_at is not None or seller.status == STATUS_VERIFIED


def profile_checklist(seller: Seller) -> list[ChecklistItem]:
    """Everything a complete seller profile has, in the order a seller fixes it.

    While the wizard is unfinished the links point at its steps; afterwards at the profile and
    documents pages, which edit the same data.
    """
    finished = _wizard_finished(seller)

    def where(step: str, later: str) -> str:
        return later if finished else step

    business_done = bool(seller.business_name and seller.owner_name and seller.nib and seller.scale)
    location_done = bool(seller.kota_code and seller.kecamatan_code and (seller.address or "").strip())
    bank_done = bool(seller.bank_name and seller.bank_account_number and seller.bank_account_name)
    return [
        ChecklistItem("business", _l("Data usaha (nama, pemilik, NIB, skala)"), business_done,
                      where("seller.onboarding_business", "seller.profile")),
        ChecklistItem("location", _l("Lokasi usaha (kota, kecamatan, alamat)"), location_done,
                      where("seller.onboarding_location", "seller.profile")),
        ChecklistItem("whatsapp", _l("Nomor WhatsApp"), bool(seller.whatsapp),
                      where("seller.onboarding_business", "seller.profile")),
        ChecklistItem("nib_document", _l("Dokumen NIB diunggah"), _has_nib_document(seller),
                      where("seller.onboarding_documents", "seller.documents")),
        ChecklistItem("bank", _l("Rekening bank untuk pembayaran"), bank_done,
                      where("seller.onboarding_tax", "seller.profile")),
        ChecklistItem("logo", _l("Logo usaha"), bool(seller.logo_key), "seller.profile", required=False),
        ChecklistItem("description", _l("Deskripsi usaha"), bool((seller.description or "").strip()),
                      "seller.profile", required=False),
        ChecklistItem("certificate", _l("Sertifikat produk (halal, P-IRT, BPOM MD, SNI)"),
                      _has_certificate(seller), where("seller.onboarding_documents", "seller.documents"),
                      required=False),
    ]


def completeness_pct(seller: Seller) -> int:
    """Share of checklist items done, 0–100 (every item weighs the same)."""
    items = profile_checklist(seller)
    done = sum(item.done for item in items)
    return (100 * done + len(items) // 2) // len(items)  # integer, halves round up


def missing_for_submission(seller: Seller) -> list[ChecklistItem]:
    """The required items still open; the wizard can be submitted when this is empty."""
    return [item for item in profile_checklist(seller) if item.required and not item.done]


# --- choices and limits ----------------------------------------------------------------------

# PP 7/2021 limits per scale (capital excluding land and buildings / annual sales), shown beside
# the choice so a seller can pick without looking the law up.
SCALE_LIMITS = {
    SCALE_MIKRO: (_l("Mikro"), _l("Modal usaha maks. Rp1 miliar atau penjualan maks. Rp2 miliar setahun")),
    SCALE_KECIL: (_l("Kecil"), _l("Modal usaha Rp1–5 miliar atau penjualan Rp2–15 miliar setahun")),
    SCALE_MENENGAH: (_l("Menengah"), _l("Modal usaha Rp5–10 miliar atau penjualan Rp15–50 miliar setahun")),
}

BANKS = payout_account.BANKS

# Documents a seller can upload after the NIB proof: kind → label.
CERTIFICATE_LABELS = {
    DOC_HALAL: _l("Sertifikat halal"),
    DOC_PIRT: _l("P-IRT"),
    DOC_BPOM: _l("BPOM MD"),
    DOC_SNI: _l("SNI"),
    DOC_SUKET_PP55: _l("Suket PP 55"),
}
DOCUMENT_LABELS = {DOC_NIB: _l("Dokumen NIB"), **CERTIFICATE_LABELS}
UPLOADABLE_CERTIFICATES = tuple(CERTIFICATE_LABELS)

EXPIRY_WARNING_DAYS = 30
PIRT_MIN_DIGITS = 15

BUSINESS_NAME_MAX = 120
OWNER_NAME_MAX = 120
ADDRESS_MAX = 255
STREET_MAX = 200
ACCOUNT_NAME_MAX = 120
BANK_NAME_MAX = 60
DOCUMENT_NUMBER_MAX = 60
ISSUER_MAX = 120
LOW_STOCK_MAX = 100_000

MSG_NIB_TAKEN = _l("NIB ini sudah terdaftar.")
MSG_RETRY = _l("Data sedang dipakai oleh permintaan lain. Silakan kirim ulang.")


@dataclass
class BusinessData:
    """Step 1 of the wizard as typed."""

    business_name: str | None
    owner_name: str | None
    whatsapp: str | None
    nib: str | None
    scale: str | None
    is_koperasi: bool = False


@dataclass
class LocationData:
    kota: str | None
    kecamatan: str | None
    kelurahan: str | None
    street: str | None
    rt: str | None = None
    rw: str | None = None


@dataclass
class TaxBankData:
    npwp: str | None
    is_pkp: bool
    bank: str | None  # one of BANKS (or the seller's stored bank from before the list)
    bank_other: str | None  # no longer asked: the bank comes from the list
    account_number: str | None
    account_name: str | None


@dataclass
class ProfileData:
    """Everything /penjual/profil edits (steps 1–3 plus the storefront extras)."""

    business: BusinessData
    location: LocationData
    tax_bank: TaxBankData
    description: str | None = ""
    low_stock_threshold: int | str | None = 5


@dataclass
class DocumentData:
    kind: str | None
    number: str | None
    issuer: str | None
    expires_on: date | None


# --- small validators (pure; the forms reuse them to show every problem at once) --------------


def _text(raw: str | None) -> str:
    return " ".join((raw or "").split())


def clean_required(raw: str | None, *, field: str, label_required, max_len: int) -> str:
    value = _text(raw)
    if not value:
        raise ValidationFailed(label_required, field=field)
    if len(value) > max_len:
        raise ValidationFailed(_l("Paling banyak %(max)d karakter.", max=max_len), field=field)
    return value


def clean_scale(raw: str | None) -> str:
    if raw not in SCALES:
        raise ValidationFailed(_l("Pilih skala usaha: mikro, kecil atau menengah."), field="scale")
    return raw


def clean_rt_rw(raw: str | None, field: str) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 3):
        raise ValidationFailed(_l("Tulis angka saja, misalnya 003."), field=field)
    return f"{int(value):03d}"


def compose_address(street: str, rt: str | None, rw: str | None) -> str:
    """"Jl. Merpati No. 5" + RT 3 + RW 7 → "Jl. Merpati No. 5, RT 003/RW 007"."""
    parts = [street]
    if rt and rw:
        parts.append(f"RT {rt}/RW {rw}")
    elif rt:
        parts.append(f"RT {rt}")
    elif rw:
        parts.append(f"RW {rw}")
    return ", ".join(parts)


_RT_RW_TAIL = re.compile(r"^(?P<street>.*?)(?:,\s*(?:RT\s*(?P<rt>\d{1,3}))?\s*/?\s*(?:RW\s*(?P<rw>\d{1,3}))?)?$")


def split_address(address: str | None) -> tuple[str, str, str]:
    """The inverse of compose_address, for pre-filling the form: (street, rt, rw)."""
    match = _RT_RW_TAIL.match(address or "")
    if not match:
        return address or "", "", ""
    return match.group("street") or "", match.group("rt") or "", match.group("rw") or ""


def clean_account_number(raw: str | None) -> str:
    return payout_account.clean_number(raw)


def clean_low_stock(raw: int | str | None) -> int:
    try:
        value = int(str(raw).strip()) if raw is not None and str(raw).strip() != "" else None
    except ValueError:
        value = None
    if value is None or not 0 <= value <= LOW_STOCK_MAX:
        raise ValidationFailed(_l("Isi angka 0 sampai %(max)s.", max=angka(LOW_STOCK_MAX)),
                               field="low_stock_threshold")
    return value


def check_expiry(expires_on: date | None, today: date | None = None) -> None:
    if expires_on is not None and expires_on < (today or utcnow().date()):
        raise ValidationFailed(_l("Tanggal berlaku sudah lewat. Unggah dokumen yang masih berlaku."),
                               field="expires_on")


# --- checks against the database ---------------------------------------------------------------


def nib_taken(nib: str, exclude_seller_id: int | None = None) -> bool:
    query = select(Seller.id).where(Seller.nib == nib)
    if exclude_seller_id is not None:
        query = query.where(Seller.id != exclude_seller_id)
    return db.session.execute(query.limit(1)).first() is not None


def _slug_taken(slug: str, seller_id: int | None) -> bool:
    """A slug is taken by another seller's current or old address (an old one keeps redirecting)."""
    current = select(Seller.id).where(Seller.slug == slug)
    old = select(SellerSlugRedirect.seller_id).where(SellerSlugRedirect.slug == slug)
    if seller_id is not None:
        current = current.where(Seller.id != seller_id)
        old = old.where(SellerSlugRedirect.seller_id != seller_id)
    return (db.session.execute(current.limit(1)).first() is not None
            or db.session.execute(old.limit(1)).first() is not None)


def _clean_business(data: BusinessData, seller_id: int | None) -> BusinessData:
    """Every step-1 rule; returns the canonical values."""
    business_name = clean_required(data.business_name, field="business_name",
                                   label_required=_l("Nama usaha wajib diisi."), max_len=BUSINESS_NAME_MAX)
    owner_name = clean_required(data.owner_name, field="owner_name",
                                label_required=_l("Nama pemilik wajib diisi."), max_len=OWNER_NAME_MAX)
    whatsapp = normalise_whatsapp(data.whatsapp)
    nib = validate_nib(data.nib)
    scale = clean_scale(data.scale)
    if nib_taken(nib, seller_id):
        raise ValidationFailed(MSG_NIB_TAKEN, field="nib")
    return BusinessData(business_name, owner_name, whatsapp, nib, scale, bool(data.is_koperasi))


def _clean_location(data: LocationData) -> LocationData:
    regions.validate_region(data.kota, data.kecamatan, data.kelurahan or None)
    street = clean_required(data.street, field="street", label_required=_l("Alamat jalan wajib diisi."),
                            max_len=STREET_MAX)
    rt, rw = clean_rt_rw(data.rt, "rt"), clean_rt_rw(data.rw, "rw")
    return LocationData(data.kota, data.kecamatan, data.kelurahan or None, street, rt, rw)


def _clean_tax_bank(data: TaxBankData, seller: Seller, *, business_name: str | None = None,
                    owner_name: str | None = None) -> TaxBankData:
    """The tax data and the payout account; the account holder must be the business or its owner
    (by the names being saved with it, else the stored ones)."""
    npwp = validate_npwp(data.npwp) if (data.npwp or "").strip() else None
    if data.is_pkp and not npwp:
        raise ValidationFailed(_l("Status PKP hanya untuk usaha yang punya NPWP. Isi NPWP dulu."), field="is_pkp")
    bank = payout_account.clean_bank(data.bank, seller.bank_name)
    number = clean_account_number(data.account_number)
    name = clean_required(data.account_name, field="account_name",
                          label_required=_l("Nama pemilik rekening wajib diisi."), max_len=ACCOUNT_NAME_MAX)
    payout_account.check_holder(name, business_name=business_name or seller.business_name,
                                owner_name=owner_name or seller.owner_name, seller=seller)
    return TaxBankData(npwp, bool(data.is_pkp and npwp), bank, None, number, name)


def _commit(on_conflict: DomainError | None = None) -> None:
    """Commit; a unique index that refuses the row (two requests at once) becomes a message."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise (on_conflict or ValidationFailed(MSG_RETRY)) from None


def _conflict_error(nib: str, seller_id: int | None) -> DomainError:
    """After a failed commit, say which unique value was taken (re-checked after the rollback)."""
    if nib_taken(nib, seller_id):
        return ValidationFailed(MSG_NIB_TAKEN, field="nib")
    return ValidationFailed(MSG_RETRY)


# --- wizard step 1: the account and the business ------------------------------------------------


def _apply_business(seller: Seller, data: BusinessData, *, actor_id: int | None) -> None:
    """Write cleaned step-1 values; a verified seller's NIB or scale change is audited."""
    if seller.id is not None and seller.status in (STATUS_VERIFIED, STATUS_SUSPENDED):
        before = {"nib": seller.nib, "scale": seller.scale}
        after = {"nib": data.nib, "scale": data.scale}
        if before != after:
            audit.record("seller.identity_changed", seller, actor_id=actor_id, before=before, after=after)
    if seller.id is None:
        seller.slug = unique_slug(data.business_name, lambda s: _slug_taken(s, None), fallback="toko")
        seller.business_name = data.business_name
    else:
        _apply_rename(seller, data.business_name)
    seller.owner_name = data.owner_name
    seller.whatsapp = data.whatsapp
    seller.nib = data.nib
    seller.scale = data.scale
    seller.is_koperasi = data.is_koperasi


def register_seller_account(*, name: str | None, email: str | None, password: str | None,
                            business: BusinessData, locale: str = "id") -> Seller:
    """A new user with role seller and their Seller (pending, not yet submitted), in one
    transaction. Raises ValidationFailed naming the field at fault; nothing is created then."""
    name = accounts.clean_name(name)
    email = accounts.normalise_email(email)
    accounts.check_new_password(password, email)
    duplicate = ValidationFailed(_l("Email ini sudah terdaftar. Silakan masuk dulu, lalu buka toko dari akun Anda."),
                                 field="email")
    if accounts.email_taken(email):
        raise duplicate
    cleaned = _clean_business(business, None)
    user = User(name=name, email=email, role=ROLE_SELLER,
                locale=locale if locale in accounts.SUPPORTED_LOCALES else "id", active=True)
    user.set_password(password)
    user.last_login_at = utcnow()
    db.session.add(user)
    # No autoflush while the half-built rows exist: the slug look-up would flush them early.
    with db.session.no_autoflush:
        seller = Seller(user=user, status=STATUS_PENDING, submitted_at=None)
        _apply_business(seller, cleaned, actor_id=None)
    db.session.add(seller)
    try:
        db.session.flush()
        audit.record("seller.registered", seller, actor_id=user.id, after={"nib": seller.nib, "slug": seller.slug})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if accounts.email_taken(email):
            raise duplicate from None
        raise _conflict_error(cleaned.nib, None) from None
    return seller


def save_business_step(user: User, data: BusinessData) -> Seller:
    """Create (first time) or update the user's Seller from step 1.

    A shopper who opens a shop becomes a seller (audited as "user.role_changed"); officers and
    admins cannot (PermissionDenied). Raises ValidationFailed and changes nothing on bad input.
    """
    if user.role not in (ROLE_SHOPPER, ROLE_SELLER):
        raise PermissionDenied(_l("Akun petugas dan admin tidak dapat membuka toko."))
    seller = user.seller
    cleaned = _clean_business(data, seller.id if seller is not None else None)
    if user.role == ROLE_SHOPPER:
        audit.record("user.role_changed", user, actor_id=user.id,
                     before={"role": ROLE_SHOPPER}, after={"role": ROLE_SELLER})
        user.role = ROLE_SELLER
    created = seller is None
    with db.session.no_autoflush:
        if created:
            seller = Seller(user=user, status=STATUS_PENDING, submitted_at=None)
        _apply_business(seller, cleaned, actor_id=user.id)
    try:
        if created:
            db.session.add(seller)
            db.session.flush()
            audit.record("seller.registered", seller, actor_id=user.id,
                         after={"nib": seller.nib, "slug": seller.slug})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _conflict_error(cleaned.nib, None if created else seller.id) from None
    return seller


# --- wizard steps 2 and 3 ------------------------------------------------------------------------


def save_location_step(seller: Seller, data: LocationData) -> Seller:
    """Kota, kecamatan (required, checked to lie in the kota), kelurahan (optional, checked to
    lie in the kecamatan) and the street address."""
    cleaned = _clean_location(data)
    _apply_location(seller, cleaned)
    _commit()
    return seller


def _apply_location(seller: Seller, data: LocationData) -> None:
    seller.kota_code = data.kota
    seller.kecamatan_code = data.kecamatan
    seller.kelurahan_code = data.kelurahan
    seller.address = compose_address(data.street or "", data.rt, data.rw)[:ADDRESS_MAX]


def save_tax_bank_step(seller: Seller, data: TaxBankData, *, actor_id: int | None = None) -> Seller:
    """NPWP (optional, 16 digits or the old 15), PKP (only with an NPWP), the payout account
    (services/payout_account.py: a change of a set account is held 24 hours and announced)."""
    cleaned = _clean_tax_bank(data, seller)
    _apply_tax_bank(seller, cleaned, actor_id=actor_id if actor_id is not None else seller.user_id)
    _commit()
    return seller


def _apply_tax_bank(seller: Seller, data: TaxBankData, *, actor_id: int | None) -> None:
    seller.npwp = data.npwp
    seller.is_pkp = data.is_pkp
    payout_account.apply(seller, payout_account.Account(data.bank, data.account_number, data.account_name),
                         actor_id=actor_id)


# --- documents -----------------------------------------------------------------------------------


def document_status(document: SellerDocument, today: date | None = None) -> str:
    """"berlaku", "segera" (expires within 30 days) or "kedaluwarsa"."""
    today = today or utcnow().date()
    if document.expired or (document.expires_on is not None and document.expires_on < today):
        return "kedaluwarsa"
    if document.expires_on is not None and document.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return "segera"
    return "berlaku"


def add_document(seller: Seller, data: DocumentData, upload, *, actor_id: int | None,
                 today: date | None = None) -> SellerDocument:
    """Store an uploaded NIB proof or certificate after checking its content.

    The NIB proof is one per seller: a new upload replaces the old one (its file is removed).
    Raises ValidationFailed (bad kind, number, date, or an upload that fails the checks).
    """
    kind = data.kind
    if kind not in DOCUMENT_LABELS:
        raise ValidationFailed(_l("Pilih jenis dokumen dari daftar."), field="kind")
    if kind == DOC_NIB:
        number = seller.nib
    else:
        number = clean_required(data.number, field="number", label_required=_l("Nomor dokumen wajib diisi."),
                                max_len=DOCUMENT_NUMBER_MAX)
        if kind == DOC_PIRT and sum(ch.isdigit() for ch in number) < PIRT_MIN_DIGITS:
            raise ValidationFailed(_l("Nomor P-IRT berisi paling sedikit %(n)d angka.", n=PIRT_MIN_DIGITS),
                                   field="number")
    issuer = _text(data.issuer) or None
    if issuer and len(issuer) > ISSUER_MAX:
        raise ValidationFailed(_l("Paling banyak %(max)d karakter.", max=ISSUER_MAX), field="issuer")
    check_expiry(data.expires_on, today)
    if upload is None:
        raise ValidationFailed(_l("Pilih berkas dokumennya (PDF atau foto)."), field="file")
    try:
        stored = uploads.store_document(upload)
    except uploads.UploadRejected as error:
        raise ValidationFailed(error.message, field="file") from None

    replaced_keys = []
    if kind == DOC_NIB:
        for old in [d for d in seller.documents if d.kind == DOC_NIB]:
            replaced_keys.append(old.file_key)
            seller.documents.remove(old)
    document = SellerDocument(kind=kind, number=number, issuer=issuer, expires_on=data.expires_on,
                              file_key=stored.key, expired=False)
    seller.documents.append(document)
    try:
        db.session.flush()
        audit.record("seller.document_added", seller, actor_id=actor_id,
                     after={"document_id": document.id, "kind": kind, "number": number,
                            "expires_on": data.expires_on})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        storage.delete(stored.key)
        raise ValidationFailed(MSG_RETRY) from None
    for key in replaced_keys:
        if key:
            storage.delete(key)
    return document


def delete_document(seller: Seller, document_id: int, *, actor_id: int | None) -> None:
    """Remove one of the seller's own documents and its file; another seller's id is NotFound."""
    document = db.session.get(SellerDocument, document_id)
    if document is None or document.seller_id != seller.id:
        raise NotFound(_l("Dokumen tidak ditemukan."))
    key = document.file_key
    audit.record("seller.document_deleted", seller, actor_id=actor_id,
                 before={"document_id": document.id, "kind": document.kind, "number": document.number})
    seller.documents.remove(document)
    db.session.delete(document)
    db.session.commit()
    if key:
        storage.delete(key)


_MIMETYPES = {"pdf": "application/pdf", "jpg": "image/jpeg"}


def document_key(document: SellerDocument) -> str:
    """The storage key of the document's file; NotFound when it has none or it is gone."""
    if not document.file_key or not storage.exists(document.file_key):
        raise NotFound(_l("Berkas dokumen tidak ditemukan."))
    return document.file_key


def document_mimetype(document: SellerDocument) -> str:
    """The type decided by our own checks when it was stored (PDF or a re-encoded JPEG)."""
    ext = (document.file_key or "").rsplit(".", 1)[-1]
    return _MIMETYPES.get(ext, "application/octet-stream")


def document_download_name(document: SellerDocument) -> str:
    """A safe file name for the download: "nib-1234567890123.pdf"."""
    ext = (document.file_key or "").rsplit(".", 1)[-1] if "." in (document.file_key or "") else "bin"
    number = re.sub(r"[^A-Za-z0-9]+", "-", document.number or "").strip("-")[:40]
    return f"{document.kind}-{number or document.id}.{ext}"


def documents_with_status(seller: Seller, today: date | None = None) -> list[tuple[SellerDocument, str]]:
    today = today or utcnow().date()
    return [(d, document_status(d, today)) for d in seller.documents]


# --- submission --------------------------------------------------------------------------------


def _admin_link(seller: Seller) -> str:
    try:
        return url_for("admin.seller_detail", seller_id=seller.id)
    except (BuildError, RuntimeError):
        return f"/admin/penjual/{seller.id}"


def submit_for_verification(seller: Seller, *, actor_id: int | None) -> Seller:
    """Send the wizard to the Dinas: checks nothing required is missing, sets submitted_at
    (audited "seller.submitted"), moves a rejected seller back to pending, notifies every admin."""
    missing = missing_for_submission(seller)
    if missing:
        raise ValidationFailed(_l("Masih ada yang perlu dilengkapi: %(items)s.",
                                  items=", ".join(str(item.label) for item in missing)))
    if seller.status == STATUS_REJECTED:
        states.transition("seller", seller, STATUS_PENDING, actor_id=actor_id)
        seller.status_reason = None
    elif seller.status != STATUS_PENDING:
        raise InvalidTransition(_l("Toko Anda sudah diverifikasi; data tidak perlu dikirim lagi."))
    elif seller.submitted_at is not None:
        raise InvalidTransition(_l("Data Anda sudah dikirim dan sedang menunggu verifikasi."))
    seller.submitted_at = utcnow()
    audit.record("seller.submitted", seller, actor_id=actor_id, after={"submitted_at": seller.submitted_at})
    admins = db.session.scalars(select(User).where(User.role == ROLE_ADMIN, User.active.is_(True))
                                .order_by(User.id)).all()
    link = _admin_link(seller)
    for admin in admins:
        notify(admin, "seller.submitted", _l("Penjual menunggu verifikasi"),
               _l("%(name)s mengirim data usahanya untuk diverifikasi.", name=seller.business_name), link=link)
    db.session.commit()
    return seller


# --- profile -------------------------------------------------------------------------------------


def _apply_rename(seller: Seller, new_name: str) -> None:
    """Change the name and, when the slug changes, keep the old slug as a redirect (only if the
    storefront was ever public: an unverified seller's address was never shared)."""
    seller.business_name = new_name
    base = slugify(new_name) or "toko"
    if base == seller.slug:
        return
    new_slug = unique_slug(new_name, lambda s: _slug_taken(s, seller.id), fallback="toko")
    if new_slug == seller.slug:
        return
    own_old = db.session.scalars(select(SellerSlugRedirect).where(
        SellerSlugRedirect.seller_id == seller.id, SellerSlugRedirect.slug == new_slug)).first()
    if own_old is not None:  # back to a previous name: that address is current again
        db.session.delete(own_old)
        db.session.flush()
    if seller.verified_at is not None:
        db.session.add(SellerSlugRedirect(slug=seller.slug, seller_id=seller.id))
    seller.slug = new_slug


def rename(seller: Seller, new_name: str | None, *, actor_id: int | None) -> Seller:
    """Rename the business; the storefront moves to the new slug and the old one redirects."""
    name = clean_required(new_name, field="business_name", label_required=_l("Nama usaha wajib diisi."),
                          max_len=BUSINESS_NAME_MAX)
    before = {"business_name": seller.business_name, "slug": seller.slug}
    _apply_rename(seller, name)
    if seller.status in (STATUS_VERIFIED, STATUS_SUSPENDED) and before["slug"] != seller.slug:
        audit.record("seller.renamed", seller, actor_id=actor_id, before=before,
                     after={"business_name": seller.business_name, "slug": seller.slug})
    _commit()
    return seller


def _store_picture(upload, field: str) -> str:
    try:
        image = uploads.load_image(upload, reduce_to=max(RENDITION_WIDTHS))
    except uploads.UploadRejected as error:
        raise ValidationFailed(error.message, field=field) from None
    return store_renditions(image).key


def update_profile(seller: Seller, data: ProfileData, *, actor_id: int | None,
                   logo=None, banner=None) -> Seller:
    """Save the whole profile page in one transaction: every field is checked (and the pictures
    decoded) before anything is written, so a refusal changes nothing."""
    business = _clean_business(data.business, seller.id)
    location = _clean_location(data.location)
    tax_bank = _clean_tax_bank(data.tax_bank, seller, business_name=business.business_name,
                               owner_name=business.owner_name)
    description = sanitise_description(data.description)
    low_stock = clean_low_stock(data.low_stock_threshold)
    logo_key = _store_picture(logo, "logo") if logo is not None else None
    banner_key = _store_picture(banner, "banner") if banner is not None else None

    old_slug = seller.slug
    _apply_business(seller, business, actor_id=actor_id)
    if seller.status in (STATUS_VERIFIED, STATUS_SUSPENDED) and old_slug != seller.slug:
        audit.record("seller.renamed", seller, actor_id=actor_id, before={"slug": old_slug},
                     after={"business_name": seller.business_name, "slug": seller.slug})
    _apply_location(seller, location)
    _apply_tax_bank(seller, tax_bank, actor_id=actor_id)
    seller.description = description
    seller.low_stock_threshold = low_stock
    if logo_key:
        seller.logo_key = logo_key
    if banner_key:
        seller.banner_key = banner_key
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _conflict_error(business.nib, seller.id) from None
    return seller


# --- where the wizard continues -----------------------------------------------------------------

WIZARD_STEPS = ("business", "location", "tax", "documents", "review")


def next_wizard_step(seller: Seller | None) -> str:
    """The first step whose data is missing, else "review"."""
    if seller is None:
        return "business"
    done = {item.key: item.done for item in profile_checklist(seller)}
    if not done["location"]:
        return "location"
    if not done["bank"]:
        return "tax"
    if not done["nib_document"]:
        return "documents"
    return "review"
