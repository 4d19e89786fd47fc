"""Officer onboarding: a shopper applies to act for an agency (duty, NIP, letter of assignment),
the Dinas confirms or rejects the membership, and the admin queue of applications.

An applicant becomes an "officer" at once, with a pending membership: they may browse the
catalogue but authz.agency_officer_required refuses every procurement page until the Dinas
confirms. A rejected applicant keeps the same membership row and may apply again with a new
letter, which puts it back to pending. Every step is one transaction with its audit event.
"""

from dataclasses import dataclass
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from catalog import storage
from catalog.extensions import db
from catalog.models import Agency, AuditEvent, OfficerMembership, User
from catalog.models.agencies import (
    DUTIES,
    DUTY_BENDAHARA,
    DUTY_PP,
    DUTY_PPK,
    MEMBERSHIP_CONFIRMED,
    MEMBERSHIP_PENDING,
    MEMBERSHIP_REJECTED,
)
from catalog.models.base import utcnow
from catalog.models.users import ROLE_ADMIN, ROLE_OFFICER, ROLE_SHOPPER
from catalog.services import audit, notifications, uploads
from catalog.services.catalogue import ProductPage, clean_query, page_number
from catalog.services.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from catalog.services.verification import clean_reason

NIP_LENGTH = 18
QUEUE_PER_PAGE = 20
SEARCH_MAX = 100
HISTORY_LIMIT = 30

DUTY_LABELS = {
    DUTY_PP: _l("Pejabat Pengadaan"),
    DUTY_PPK: _l("Pejabat Pembuat Komitmen (PPK)"),
    DUTY_BENDAHARA: _l("Bendahara Pengeluaran"),
}

# Where the officer is sent by notifications (services have no request to build URLs with).
APPLICATION_PATH = "/pengadaan/daftar"
PROCUREMENT_HOME_PATH = "/pengadaan"

MSG_NOT_FOUND = _l("Pendaftaran pejabat tidak ditemukan.")
MSG_AGENCY = _l("Pilih instansi dari daftar.")
MSG_AGENCY_CLOSED = _l("Instansi ini sudah tidak aktif dan tidak menerima pejabat baru. Pilih instansi lain.")
MSG_DUTY = _l("Pilih tugas Anda di instansi dari daftar.")
MSG_NIP_REQUIRED = _l("NIP wajib diisi.")
MSG_NIP_FORMAT = _l("NIP terdiri dari 18 angka, misalnya 198501012010011001.")
MSG_LETTER_REQUIRED = _l("Unggah SK atau surat tugas Anda (PDF atau foto).")
MSG_SELLER = _l("Akun penjual tidak dapat didaftarkan sebagai pejabat instansi. "
                "Gunakan akun lain (email lain) untuk pengadaan instansi.")
MSG_ADMIN = _l("Akun admin Dinas tidak dapat didaftarkan sebagai pejabat instansi.")
MSG_ALREADY_PENDING = _l("Pendaftaran Anda sedang menunggu konfirmasi Dinas. Anda belum dapat mendaftar lagi.")
MSG_ALREADY_CONFIRMED = _l("Anda sudah terdaftar sebagai pejabat instansi yang dikonfirmasi Dinas.")
MSG_DECIDED_CONFIRMED = _l("Pendaftaran ini sudah dikonfirmasi sebelumnya.")
MSG_DECIDED_REJECTED = _l("Pendaftaran ini sudah ditolak sebelumnya dan menunggu pendaftaran ulang dari pejabat.")


# --- applying ---------------------------------------------------------------------------------------

def active_agencies() -> list[Agency]:
    """The agencies an officer may apply to, by name (with their kota for the drop-down)."""
    return list(db.session.scalars(
        select(Agency).where(Agency.is_active.is_(True)).options(joinedload(Agency.kota)).order_by(Agency.name)
    ))


def clean_nip(raw: str | None) -> str:
    """The NIP as 18 digits; spaces and dots people type between the groups are dropped."""
    text = "".join(str(raw or "").replace(".", " ").split())
    if not text:
        raise ValidationFailed(MSG_NIP_REQUIRED, field="employee_number")
    if len(text) != NIP_LENGTH or not text.isdigit() or not text.isascii():
        raise ValidationFailed(MSG_NIP_FORMAT, field="employee_number")
    return text


def _check_applicant(user: User) -> OfficerMembership | None:
    """The rejected membership to reuse, None for a first application; refuses everyone else."""
    if user.role not in (ROLE_SHOPPER, ROLE_OFFICER) or user.seller is not None:
        raise PermissionDenied(MSG_ADMIN if user.role == ROLE_ADMIN else MSG_SELLER)
    membership = user.membership
    if membership is None or membership.status == MEMBERSHIP_REJECTED:
        return membership
    raise InvalidTransition(MSG_ALREADY_PENDING if membership.status == MEMBERSHIP_PENDING else MSG_ALREADY_CONFIRMED)


def _clean_agency(agency_id) -> Agency:
    try:
        agency = db.session.get(Agency, int(agency_id))
    except (TypeError, ValueError, OverflowError):
        agency = None
    if agency is None:
        raise ValidationFailed(MSG_AGENCY, field="agency_id")
    if not agency.is_active:
        raise ValidationFailed(MSG_AGENCY_CLOSED, field="agency_id")
    return agency


def apply(user: User, agency_id, duty: str | None, employee_number: str | None, letter_upload) -> OfficerMembership:
    """Apply (or apply again after a rejection) to act for an agency. Checks everything before
    the letter is stored, so a refusal leaves no file and changes nothing. Commits.

    Raises PermissionDenied (a seller or admin account), InvalidTransition (already pending or
    confirmed) or ValidationFailed naming the field (agency_id, duty, employee_number, letter)."""
    previous = _check_applicant(user)
    agency = _clean_agency(agency_id)
    if duty not in DUTIES:
        raise ValidationFailed(MSG_DUTY, field="duty")
    nip = clean_nip(employee_number)
    if letter_upload is None:
        raise ValidationFailed(MSG_LETTER_REQUIRED, field="letter")
    try:
        stored = uploads.store_document(letter_upload)
    except uploads.UploadRejected as error:
        raise ValidationFailed(error.message, field="letter") from None

    old_key = previous.letter_key if previous is not None else None
    membership = previous or OfficerMembership(user=user)
    before = ({"status": previous.status, "agency_id": previous.agency_id, "duty": previous.duty}
              if previous is not None else {"role": user.role})
    membership.agency = agency
    membership.duty = duty
    membership.employee_number = nip
    membership.status = MEMBERSHIP_PENDING
    membership.letter_key = stored.key
    membership.letter_kind = stored.kind
    membership.confirmed_by_id = None
    membership.confirmed_at = None
    # The rejection reason is kept until the next decision: the admin sees what was wrong before.
    user.role = ROLE_OFFICER
    try:
        db.session.add(membership)
        db.session.flush()
        audit.record("officer.applied", membership, actor_id=user.id, agency_id=agency.id, before=before,
                     after={"status": MEMBERSHIP_PENDING, "role": ROLE_OFFICER, "agency_id": agency.id,
                            "duty": duty, "letter_kind": stored.kind, "reapplied": previous is not None})
        db.session.commit()
    except IntegrityError:
        # The same account applying twice at once (two tabs): the other request won.
        db.session.rollback()
        storage.delete(stored.key)
        raise InvalidTransition(MSG_ALREADY_PENDING) from None
    if old_key:
        storage.delete(old_key)
    return membership


# --- the Dinas' decisions -------------------------------------------------------------------------

def _load_for_decision(membership_id: int) -> OfficerMembership:
    # Locked on PostgreSQL so two admins deciding at once are serialised (as for sellers).
    membership = db.session.get(OfficerMembership, membership_id, with_for_update=True, populate_existing=True)
    if membership is None:
        raise NotFound(MSG_NOT_FOUND)
    if membership.status == MEMBERSHIP_CONFIRMED:
        raise InvalidTransition(MSG_DECIDED_CONFIRMED)
    if membership.status == MEMBERSHIP_REJECTED:
        raise InvalidTransition(MSG_DECIDED_REJECTED)
    return membership


def confirm(membership_id: int, admin_id: int) -> OfficerMembership:
    """The letter checks out: the officer may now buy for the agency. Commits."""
    membership = _load_for_decision(membership_id)
    membership.status = MEMBERSHIP_CONFIRMED
    membership.confirmed_by_id = admin_id
    membership.confirmed_at = utcnow()
    membership.review_reason = None
    audit.record("officer.confirmed", membership, actor_id=admin_id, agency_id=membership.agency_id,
                 before={"status": MEMBERSHIP_PENDING}, after={"status": MEMBERSHIP_CONFIRMED})
    notifications.notify(
        membership.user, "officer.confirmed",
        _l("Pendaftaran pejabat dikonfirmasi"),
        _l("Dinas mengonfirmasi Anda sebagai %(duty)s di %(agency)s. Anda sekarang dapat berbelanja atas nama "
           "instansi.", duty=DUTY_LABELS.get(membership.duty, membership.duty), agency=membership.agency.name),
        link=PROCUREMENT_HOME_PATH,
    )
    db.session.commit()
    return membership


def reject(membership_id: int, admin_id: int, reason: str | None) -> OfficerMembership:
    """The letter does not check out: the officer is told why and may apply again. Commits."""
    reason = clean_reason(reason, required=True)
    membership = _load_for_decision(membership_id)
    membership.status = MEMBERSHIP_REJECTED
    membership.review_reason = reason
    audit.record("officer.rejected", membership, actor_id=admin_id, agency_id=membership.agency_id,
                 before={"status": MEMBERSHIP_PENDING}, after={"status": MEMBERSHIP_REJECTED}, reason=reason)
    notifications.notify(
        membership.user, "officer.rejected",
        _l("Pendaftaran pejabat belum dapat dikonfirmasi"),
        _l("Dinas belum dapat mengonfirmasi pendaftaran Anda di %(agency)s. Alasannya: %(reason)s "
           "Anda dapat mendaftar lagi dengan surat tugas yang benar.", agency=membership.agency.name, reason=reason),
        link=APPLICATION_PATH,
    )
    db.session.commit()
    return membership


# --- the queue ------------------------------------------------------------------------------------

TAB_PENDING = "menunggu"
TAB_CONFIRMED = "dikonfirmasi"
TAB_REJECTED = "ditolak"
TABS = (TAB_PENDING, TAB_CONFIRMED, TAB_REJECTED)
TAB_STATUS = {TAB_PENDING: MEMBERSHIP_PENDING, TAB_CONFIRMED: MEMBERSHIP_CONFIRMED, TAB_REJECTED: MEMBERSHIP_REJECTED}


@dataclass
class OfficerRow:
    membership: OfficerMembership
    waiting_days: int | None  # whole days since the (last) application, pending tab only


@dataclass
class OfficerQueue:
    tab: str
    query: str
    rows: list[OfficerRow]
    page: ProductPage
    counts: dict[str, int]


def tab_key(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in TABS else TAB_PENDING


def tab_counts() -> dict[str, int]:
    """Memberships per tab, in one grouped statement."""
    stmt = select(*(func.sum(case((OfficerMembership.status == TAB_STATUS[tab], 1), else_=0)) for tab in TABS))
    values = db.session.execute(stmt.select_from(OfficerMembership)).one()
    return {tab: int(value or 0) for tab, value in zip(TABS, values, strict=True)}


def _search_clause(query: str):
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"),
               Agency.name.ilike(pattern, escape="\\"), OfficerMembership.employee_number.like(pattern, escape="\\"))


def officer_queue(tab: object = None, query: object = None, page: object = None,
                  per_page: int = QUEUE_PER_PAGE) -> OfficerQueue:
    """One page of one tab, searched by name, email, agency or NIP. Pending applications are the
    oldest first (waiting time since the last application); decided ones the newest decision first.
    Three statements whatever the page size."""
    tab = tab_key(tab)
    query = clean_query(query)[:SEARCH_MAX]
    criteria = [OfficerMembership.status == TAB_STATUS[tab]]
    if query:
        criteria.append(_search_clause(query))
    base = select(OfficerMembership).join(OfficerMembership.user).join(OfficerMembership.agency).where(*criteria)

    counts = tab_counts()
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(ceil(total / per_page), 1)
    number = min(page_number(page), pages)
    order = ((OfficerMembership.updated_at.asc(), OfficerMembership.id.asc()) if tab == TAB_PENDING
             else (OfficerMembership.updated_at.desc(), OfficerMembership.id.desc()))
    memberships = list(db.session.scalars(
        base.options(joinedload(OfficerMembership.user), joinedload(OfficerMembership.agency))
        .order_by(*order).limit(per_page).offset((number - 1) * per_page)
    )) if total else []
    now = utcnow()
    rows = [OfficerRow(m, (now - m.updated_at).days if tab == TAB_PENDING else None) for m in memberships]
    return OfficerQueue(tab=tab, query=query, rows=rows, counts=counts,
                        page=ProductPage(items=rows, total=total, page=number, per_page=per_page, sort="terbaru"))


# --- one application ---------------------------------------------------------------------------------

@dataclass
class OfficerApplication:
    membership: OfficerMembership
    history: list[AuditEvent]
    waiting_days: int | None

    @property
    def can_decide(self) -> bool:
        return self.membership.status == MEMBERSHIP_PENDING


def application(membership_id: int) -> OfficerApplication:
    """A membership with its user, agency and audit history (newest first). Raises NotFound."""
    membership = db.session.scalar(
        select(OfficerMembership).where(OfficerMembership.id == membership_id)
        .options(joinedload(OfficerMembership.user), joinedload(OfficerMembership.agency).joinedload(Agency.kota))
    )
    if membership is None:
        raise NotFound(MSG_NOT_FOUND)
    history = audit.history(OfficerMembership.__tablename__, membership.id, HISTORY_LIMIT)
    waiting = (utcnow() - membership.updated_at).days if membership.status == MEMBERSHIP_PENDING else None
    return OfficerApplication(membership=membership, history=history, waiting_days=waiting)


_MIMETYPES = {"pdf": "application/pdf", "jpg": "image/jpeg"}


def letter_file(membership_id: int) -> tuple[str, str, str]:
    """(storage key, mimetype, download name) of a membership's letter, for the admin-only route.
    Raises NotFound for an unknown membership or one without a stored letter."""
    membership = db.session.get(OfficerMembership, membership_id)
    if membership is None or not membership.letter_key or not storage.exists(membership.letter_key):
        raise NotFound(_l("Surat tugas tidak ditemukan."))
    kind = membership.letter_kind if membership.letter_kind in _MIMETYPES else "pdf"
    return (membership.letter_key, _MIMETYPES[kind],
            f"surat-tugas-{membership.employee_number or membership.id}.{kind}")
