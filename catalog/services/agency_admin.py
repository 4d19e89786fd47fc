"""The Dinas' care of agencies: creating and editing them, closing and reopening, their budgets
(pagu) per fiscal year and their members' duties.

Every change is one transaction with its audit event (object types "agency", "budget" and
"officer_membership", always with the agency's id so its history is one query). Refusals raise
DomainError subclasses with Indonesian messages and change nothing.
"""

import re
from dataclasses import dataclass, field
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.formatting import rupiah
from catalog.models import Agency, AuditEvent, Budget, OfficerMembership, PurchaseOrder, User
from catalog.models.agencies import (
    AGENCY_TYPES,
    DUTIES,
    DUTY_PPK,
    MEMBERSHIP_CONFIRMED,
    MEMBERSHIP_PENDING,
    MEMBERSHIP_REJECTED,
    OVERSPEND_REFUSE,
    OVERSPEND_WARN,
)
from catalog.models.procurement import INVOICE_PAID, PO_COMMITTED, DocumentCounter, Invoice
from catalog.models.regions import LEVEL_KECAMATAN, LEVEL_KOTA
from catalog.services import audit, notifications, regions
from catalog.services.catalogue import ProductPage, clean_query, page_number
from catalog.services.certificates import jakarta_today
from catalog.services.compliance import FIRST_YEAR
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from catalog.services.money import parse_rupiah
from catalog.services.procurement import budget as budgets
from catalog.services.procurement.officers import duty_name
from catalog.services.verification import clean_reason

NAME_MIN = 3
NAME_MAX = 160  # Agency.name
CODE_MAX = 30  # Agency.code
ADDRESS_MAX = 255  # Agency.address
# Upper-case letters and digits in dash-separated groups: the code sits between slashes in
# SP/<code>/<year>/0001, so no slash, space or lower case.
CODE_PATTERN = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
TERM_MIN, TERM_MAX = 1, 90  # payment term in days (Perpres: 30 is usual; longer needs a reason)
LIST_PER_PAGE = 25
SEARCH_MAX = 100
HISTORY_LIMIT = 50
OVERSPEND_POLICIES = (OVERSPEND_REFUSE, OVERSPEND_WARN)

TYPE_NAMES = {"OPD": _l("OPD"), "BUMD": _l("BUMD"), "BUMN": _l("BUMN"), "vertical": _l("Instansi vertikal")}
POLICY_NAMES = {
    OVERSPEND_REFUSE: _l("Tolak pesanan yang melebihi sisa pagu"),
    OVERSPEND_WARN: _l("Izinkan dengan peringatan"),
}

MSG_NOT_FOUND = _l("Instansi tidak ditemukan.")
MSG_BUDGET_NOT_FOUND = _l("Pagu tidak ditemukan.")
MSG_MEMBER_NOT_FOUND = _l("Anggota instansi tidak ditemukan.")
MSG_NAME_REQUIRED = _l("Nama instansi wajib diisi.")
MSG_NAME_LENGTH = _l("Nama instansi %(min)s–%(max)s karakter.", min=NAME_MIN, max=NAME_MAX)
MSG_TYPE = _l("Pilih jenis instansi dari daftar.")
MSG_KOTA = _l("Pilih kota atau kabupaten di Tangerang Raya dari daftar.")
MSG_ADDRESS_LONG = _l("Alamat terlalu panjang: maksimal %(n)s karakter.", n=ADDRESS_MAX)
MSG_CODE_REQUIRED = _l("Kode instansi wajib diisi, misalnya DISKOPUKM-TANGSEL.")
MSG_CODE_FORMAT = _l("Kode instansi hanya boleh huruf kapital, angka dan tanda hubung (-), maksimal %(n)s "
                     "karakter, misalnya DISKOPUKM-TANGSEL.", n=CODE_MAX)
MSG_ALREADY_CLOSED = _l("Instansi ini sudah ditutup.")
MSG_ALREADY_OPEN = _l("Instansi ini masih aktif.")
MSG_YEAR = _l("Tahun anggaran harus antara %(first)s dan %(last)s.")
MSG_PAGU_NEGATIVE = _l("Pagu tidak boleh negatif.")
MSG_TARGET = _l("Target porsi UMK-K harus angka bulat 0 sampai 100 (persen).")
MSG_POLICY = _l("Pilih kebijakan bila pagu terlampaui dari daftar.")
MSG_TERM = _l("Jangka waktu pembayaran harus angka bulat %(min)s sampai %(max)s hari.", min=TERM_MIN, max=TERM_MAX)
MSG_DUTY = _l("Pilih tugas dari daftar.")
MSG_ONLY_CONFIRMED = _l("Hanya anggota yang sudah dikonfirmasi yang dapat diubah tugasnya atau dicabut.")


def type_name(value: str) -> str:
    return str(TYPE_NAMES.get(value, value))


# --- the agency itself -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgencyFields:
    """What the agency form holds, as typed (the service cleans and checks it)."""

    name: str | None
    type: str | None
    kota_code: str | None
    kecamatan_code: str | None
    address: str | None
    code: str | None


def _text(raw: str | None) -> str:
    return " ".join(str(raw or "").split())


def clean_code(raw: str | None) -> str:
    """The code upper-cased with spaces trimmed; refused unless letters, digits and dashes."""
    code = _text(raw).upper()
    if not code:
        raise ValidationFailed(MSG_CODE_REQUIRED, field="code")
    if len(code) > CODE_MAX or not CODE_PATTERN.fullmatch(code):
        raise ValidationFailed(MSG_CODE_FORMAT, field="code")
    return code


def _clean_fields(fields: AgencyFields) -> dict:
    name = _text(fields.name)
    if not name:
        raise ValidationFailed(MSG_NAME_REQUIRED, field="name")
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValidationFailed(MSG_NAME_LENGTH, field="name")
    if fields.type not in AGENCY_TYPES:
        raise ValidationFailed(MSG_TYPE, field="type")
    kota = regions.get(fields.kota_code)
    if kota is None or kota.level != LEVEL_KOTA:
        raise ValidationFailed(MSG_KOTA, field="kota_code")
    kecamatan_code = fields.kecamatan_code or None
    if kecamatan_code is not None:
        kecamatan = regions.get(kecamatan_code)
        if kecamatan is None or kecamatan.level != LEVEL_KECAMATAN or kecamatan.parent_code != kota.code:
            raise ValidationFailed(_l("Kecamatan yang dipilih tidak ada di %(kota)s. Pilih lagi atau kosongkan.",
                                      kota=kota.name), field="kecamatan_code")
    address = " ".join(str(fields.address or "").split())
    if len(address) > ADDRESS_MAX:
        raise ValidationFailed(MSG_ADDRESS_LONG, field="address")
    return {"name": name, "type": fields.type, "kota_code": kota.code, "kecamatan_code": kecamatan_code,
            "address": address, "code": clean_code(fields.code)}


def _check_code_free(code: str, agency_id: int | None) -> None:
    holder = db.session.scalar(select(Agency).where(Agency.code == code, Agency.id != (agency_id or 0)))
    if holder is not None:
        raise ValidationFailed(_code_taken_message(holder.name), field="code")


def _code_taken_message(name: str):
    return _l("Kode instansi sudah dipakai %(name)s.", name=name)


def has_numbered_documents(agency_id: int) -> bool:
    """Whether the agency has given out any number (request, Surat Pesanan, invoice), all of
    which carry its code: then the code may no longer change."""
    return bool(db.session.scalar(select(
        exists().where(DocumentCounter.agency_id == agency_id)
        | exists().where(PurchaseOrder.agency_id == agency_id))))


def _flush_or_code_taken(code: str) -> None:
    """Flush; a code taken by another admin at the same moment is the same refusal as above."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        holder = db.session.scalar(select(Agency.name).where(Agency.code == code))
        raise ValidationFailed(_code_taken_message(holder or code), field="code") from None


def create_agency(admin_id: int, fields: AgencyFields) -> Agency:
    """A new, active agency. Commits."""
    values = _clean_fields(fields)
    _check_code_free(values["code"], None)
    agency = Agency(**values, is_active=True)
    db.session.add(agency)
    _flush_or_code_taken(values["code"])
    audit.record("agency.created", agency, actor_id=admin_id, agency_id=agency.id,
                 after={**values, "is_active": True})
    db.session.commit()
    return agency


def update_agency(agency_id: int, admin_id: int, fields: AgencyFields) -> list[str]:
    """Save the agency form; returns the names of the fields that changed ([] when nothing did,
    and then nothing is written). The code is refused once the agency has numbered documents.
    Commits."""
    agency = _agency_for_update(agency_id)
    values = _clean_fields(fields)
    changed = [key for key, value in values.items() if getattr(agency, key) != value]
    if not changed:
        return []
    if "code" in changed:
        _check_code_free(values["code"], agency.id)
        if has_numbered_documents(agency.id):
            raise InvalidTransition(_l(
                "Kode %(code)s tidak dapat diubah: instansi ini sudah menerbitkan dokumen bernomor (Surat Pesanan, "
                "permintaan atau tagihan) yang memakai kode ini. Nomor yang sudah terbit harus tetap dapat dilacak.",
                code=agency.code), field="code")
    before = {key: getattr(agency, key) for key in changed}
    for key in changed:
        setattr(agency, key, values[key])
    _flush_or_code_taken(values["code"])
    audit.record("agency.updated", agency, actor_id=admin_id, agency_id=agency.id, before=before,
                 after={key: values[key] for key in changed})
    db.session.commit()
    return changed


def close_agency(agency_id: int, admin_id: int, reason: str | None) -> Agency:
    """Close an agency: its history stays, its officers can no longer start purchases and no
    new officer may join it. Reason required. Commits."""
    reason = clean_reason(reason, required=True)
    agency = _agency_for_update(agency_id)
    if not agency.is_active:
        raise InvalidTransition(MSG_ALREADY_CLOSED)
    agency.is_active = False
    audit.record("agency.closed", agency, actor_id=admin_id, agency_id=agency.id,
                 before={"is_active": True}, after={"is_active": False}, reason=reason)
    db.session.commit()
    return agency


def reopen_agency(agency_id: int, admin_id: int, reason: str | None = None) -> Agency:
    reason = clean_reason(reason, required=False)
    agency = _agency_for_update(agency_id)
    if agency.is_active:
        raise InvalidTransition(MSG_ALREADY_OPEN)
    agency.is_active = True
    audit.record("agency.reopened", agency, actor_id=admin_id, agency_id=agency.id,
                 before={"is_active": False}, after={"is_active": True}, reason=reason)
    db.session.commit()
    return agency


def _agency_for_update(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id, with_for_update=True)
    if agency is None:
        raise NotFound(MSG_NOT_FOUND)
    return agency


# --- budgets ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetFields:
    pagu: str | int | None
    target_share_pct: str | int | None
    overspend_policy: str | None
    payment_term_days: str | int | None


def year_range() -> tuple[int, int]:
    """Fiscal years a budget may be entered for: from the Inpres (2022) to next year."""
    return FIRST_YEAR, jakarta_today().year + 1


def _whole(raw, message, field_name: str, low: int, high: int) -> int:
    text = str(raw if raw is not None else "").strip()
    if not re.fullmatch(r"-?[0-9]{1,6}", text):
        raise ValidationFailed(message, field=field_name)
    value = int(text)
    if not low <= value <= high:
        raise ValidationFailed(message, field=field_name)
    return value


def clean_year(raw) -> int:
    first, last = year_range()
    return _whole(raw, _l("Tahun anggaran harus antara %(first)s dan %(last)s.", first=first, last=last),
                  "fiscal_year", first, last)


def _clean_budget(fields: BudgetFields) -> dict:
    raw_pagu = fields.pagu
    if isinstance(raw_pagu, int) and raw_pagu < 0 or str(raw_pagu or "").strip().startswith(("-", "−", "–")):
        raise ValidationFailed(MSG_PAGU_NEGATIVE, field="pagu")
    try:
        pagu = parse_rupiah(raw_pagu)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="pagu") from None
    if fields.overspend_policy not in OVERSPEND_POLICIES:
        raise ValidationFailed(MSG_POLICY, field="overspend_policy")
    return {
        "pagu": pagu,
        "target_share_pct": _whole(fields.target_share_pct, MSG_TARGET, "target_share_pct", 0, 100),
        "overspend_policy": fields.overspend_policy,
        "payment_term_days": _whole(fields.payment_term_days, MSG_TERM, "payment_term_days", TERM_MIN, TERM_MAX),
    }


def _duplicate_year(year: int):
    return ValidationFailed(_l("Pagu tahun %(year)s untuk instansi ini sudah ada. Ubah baris tahun itu di tabel pagu.",
                               year=year), field="fiscal_year")


def create_budget(agency_id: int, admin_id: int, fiscal_year, fields: BudgetFields) -> Budget:
    """The agency's pagu and settings for one more fiscal year (one per year). Commits."""
    agency = _agency_for_update(agency_id)
    year = clean_year(fiscal_year)
    values = _clean_budget(fields)
    if budgets.budget_for(agency.id, year) is not None:
        raise _duplicate_year(year)
    budget = Budget(agency_id=agency.id, fiscal_year=year, **values)
    db.session.add(budget)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same year added by another admin at the same moment
        raise _duplicate_year(year) from None
    audit.record("budget.created", budget, actor_id=admin_id, agency_id=agency.id,
                 after={"fiscal_year": year, **values})
    db.session.commit()
    return budget


def update_budget(agency_id: int, budget_id: int, admin_id: int, fields: BudgetFields) -> list[str]:
    """Change a year's pagu and settings; the pagu may not go below what Surat Pesanan already
    commit. Returns the changed fields ([] writes nothing). Commits."""
    found = db.session.scalar(select(Budget.fiscal_year).where(Budget.id == budget_id, Budget.agency_id == agency_id))
    if found is None:
        raise NotFound(MSG_BUDGET_NOT_FOUND)
    values = _clean_budget(fields)
    # Locked like an approval locks it, so an approval cannot slip in between the check and the save.
    budget = budgets.budget_for(agency_id, found, lock=True)
    changed = [key for key, value in values.items() if getattr(budget, key) != value]
    if not changed:
        return []
    if "pagu" in changed and values["pagu"] < budget.pagu:
        committed = budgets.committed(agency_id, budget.fiscal_year)
        if values["pagu"] < committed:
            raise ValidationFailed(_l(
                "Pagu tidak dapat diturunkan ke %(pagu)s: Surat Pesanan tahun %(year)s sudah mengikat %(committed)s.",
                pagu=rupiah(values["pagu"]), year=budget.fiscal_year, committed=rupiah(committed)), field="pagu")
    before = {key: getattr(budget, key) for key in changed}
    for key in changed:
        setattr(budget, key, values[key])
    audit.record("budget.updated", budget, actor_id=admin_id, agency_id=agency_id,
                 before={"fiscal_year": budget.fiscal_year, **before},
                 after={"fiscal_year": budget.fiscal_year, **{key: values[key] for key in changed}})
    db.session.commit()
    return changed


@dataclass(frozen=True)
class BudgetRow:
    budget: Budget
    committed: int  # Surat Pesanan issued and not declined or cancelled
    realised: int  # of those, invoices the Bendahara has paid

    @property
    def remaining(self) -> int:
        return self.budget.pagu - self.committed

    @property
    def committed_pct(self) -> float | None:
        return 100 * self.committed / self.budget.pagu if self.budget.pagu else None


def budget_rows(agency_id: int) -> list[BudgetRow]:
    """Every fiscal year's budget with committed and realised spend, newest year first: two
    statements (the budgets, and the spend grouped by year)."""
    rows = list(db.session.scalars(select(Budget).where(Budget.agency_id == agency_id)
                                   .order_by(Budget.fiscal_year.desc())))
    paid = case((Invoice.status == INVOICE_PAID, Invoice.total), else_=0)
    spend = {
        int(year): (int(committed), int(realised))
        for year, committed, realised in db.session.execute(
            select(PurchaseOrder.fiscal_year, func.coalesce(func.sum(PurchaseOrder.total), 0),
                   func.coalesce(func.sum(paid), 0))
            .select_from(PurchaseOrder).outerjoin(Invoice, Invoice.purchase_order_id == PurchaseOrder.id)
            .where(PurchaseOrder.agency_id == agency_id, PurchaseOrder.status.in_(PO_COMMITTED))
            .group_by(PurchaseOrder.fiscal_year))
    }
    return [BudgetRow(budget=b, committed=spend.get(b.fiscal_year, (0, 0))[0],
                      realised=spend.get(b.fiscal_year, (0, 0))[1]) for b in rows]


def budget_of(agency_id: int, budget_id: int) -> Budget:
    budget = db.session.scalar(select(Budget).where(Budget.id == budget_id, Budget.agency_id == agency_id))
    if budget is None:
        raise NotFound(MSG_BUDGET_NOT_FOUND)
    return budget


# --- members -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberChange:
    membership: OfficerMembership
    warning: object | None = None  # a lazy message to show beside the success (no PPK left)


def _member_for_update(agency_id: int, membership_id: int) -> OfficerMembership:
    member = db.session.scalar(
        select(OfficerMembership).where(OfficerMembership.id == membership_id,
                                        OfficerMembership.agency_id == agency_id)
        .options(joinedload(OfficerMembership.user), joinedload(OfficerMembership.agency)).with_for_update(of=OfficerMembership))
    if member is None:
        raise NotFound(MSG_MEMBER_NOT_FOUND)
    return member


def confirmed_ppk_count(agency_id: int) -> int:
    return db.session.scalar(
        select(func.count(OfficerMembership.id)).join(User, User.id == OfficerMembership.user_id)
        .where(OfficerMembership.agency_id == agency_id, OfficerMembership.duty == DUTY_PPK,
               OfficerMembership.status == MEMBERSHIP_CONFIRMED, User.active.is_(True))) or 0


def _ppk_warning(member: OfficerMembership, was_ppk: bool):
    """Allowed, but said out loud: without a confirmed PPK the agency's requests above the Pejabat
    Pengadaan's limit cannot be approved and no BAST can be signed."""
    if not was_ppk or confirmed_ppk_count(member.agency_id):
        return None
    return _l("Perhatian: %(agency)s kini tidak punya PPK yang terkonfirmasi. Permintaan yang perlu persetujuan PPK "
              "dan BAST tidak dapat diproses sampai ada PPK baru.", agency=member.agency.name)


def change_duty(agency_id: int, membership_id: int, admin_id: int, duty: str | None,
                reason: str | None = None) -> MemberChange:
    """Give a confirmed member another duty (Pejabat Pengadaan, PPK, Bendahara). Commits."""
    if duty not in DUTIES:
        raise ValidationFailed(MSG_DUTY, field="duty")
    reason = clean_reason(reason, required=False)
    member = _member_for_update(agency_id, membership_id)
    if member.status != MEMBERSHIP_CONFIRMED:
        raise InvalidTransition(MSG_ONLY_CONFIRMED)
    if member.duty == duty:
        raise InvalidTransition(_l("%(name)s sudah bertugas sebagai %(duty)s.", name=member.user.name,
                                   duty=duty_name(duty)), field="duty")
    before = member.duty
    member.duty = duty
    db.session.flush()
    audit.record("officer.duty_changed", member, actor_id=admin_id, agency_id=agency_id,
                 before={"duty": before, "user_id": member.user_id}, after={"duty": duty, "user_id": member.user_id},
                 reason=reason)
    warning = _ppk_warning(member, before == DUTY_PPK)
    notifications.notify(member.user, "officer.duty_changed", _l("Tugas Anda di instansi diubah"),
                         _l("Dinas mengubah tugas Anda di %(agency)s dari %(before)s menjadi %(after)s.",
                            agency=member.agency.name, before=duty_name(before), after=duty_name(duty)))
    db.session.commit()
    return MemberChange(member, warning)


def revoke_membership(agency_id: int, membership_id: int, admin_id: int, reason: str | None) -> MemberChange:
    """End a confirmed member's place in the agency (status rejected, with the reason the officer
    sees). The account stays; the officer can browse but no longer buy for the agency. Commits."""
    reason = clean_reason(reason, required=True)
    member = _member_for_update(agency_id, membership_id)
    if member.status != MEMBERSHIP_CONFIRMED:
        raise InvalidTransition(MSG_ONLY_CONFIRMED)
    revoke(member, admin_id, reason)
    warning = _ppk_warning(member, member.duty == DUTY_PPK)
    db.session.commit()
    return MemberChange(member, warning)


def revoke(member: OfficerMembership, admin_id: int, reason: str) -> None:
    """The revocation itself, in the caller's transaction (also used when an officer's role is
    changed to another one)."""
    before = member.status
    member.status = MEMBERSHIP_REJECTED
    member.review_reason = reason
    db.session.flush()
    audit.record("officer.revoked", member, actor_id=admin_id, agency_id=member.agency_id,
                 before={"status": before, "duty": member.duty, "user_id": member.user_id},
                 after={"status": MEMBERSHIP_REJECTED}, reason=reason)
    notifications.notify(member.user, "officer.revoked", _l("Keanggotaan instansi Anda dicabut"),
                         _l("Dinas mencabut keanggotaan Anda di %(agency)s. Alasannya: %(reason)s Anda masih dapat "
                            "masuk dan melihat katalog, tetapi tidak dapat lagi berbelanja untuk instansi.",
                            agency=member.agency.name, reason=reason if reason.endswith(".") else reason + "."))


# --- the list and one agency's page -------------------------------------------------------------------

@dataclass
class AgencyRow:
    agency: Agency
    members: int  # confirmed
    pending: int
    pagu: int | None  # this year's, None without a budget


@dataclass
class AgencyList:
    query: str
    type: str
    rows: list[AgencyRow]
    page: ProductPage
    year: int


def agency_list(query: object = None, type_filter: object = None, page: object = None,
                per_page: int = LIST_PER_PAGE) -> AgencyList:
    """One page of agencies by name (closed ones last), searched by name or code, filtered by
    type; with confirmed and pending member counts and this year's pagu. Three statements."""
    query = clean_query(query)[:SEARCH_MAX]
    kind = type_filter if isinstance(type_filter, str) and type_filter in AGENCY_TYPES else ""
    year = jakarta_today().year
    criteria = []
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        criteria.append(or_(Agency.name.ilike(f"%{escaped}%", escape="\\"),
                            Agency.code.ilike(f"%{escaped}%", escape="\\")))
    if kind:
        criteria.append(Agency.type == kind)
    total = db.session.scalar(select(func.count(Agency.id)).where(*criteria)) or 0
    pages = max(ceil(total / per_page), 1)
    number = min(page_number(page), pages)
    rows: list[AgencyRow] = []
    if total:
        confirmed = func.sum(case((OfficerMembership.status == MEMBERSHIP_CONFIRMED, 1), else_=0))
        pending = func.sum(case((OfficerMembership.status == MEMBERSHIP_PENDING, 1), else_=0))
        members = (select(OfficerMembership.agency_id, confirmed.label("confirmed"), pending.label("pending"))
                   .group_by(OfficerMembership.agency_id).subquery())
        result = db.session.execute(
            select(Agency, members.c.confirmed, members.c.pending, Budget.pagu)
            .outerjoin(members, members.c.agency_id == Agency.id)
            .outerjoin(Budget, and_(Budget.agency_id == Agency.id, Budget.fiscal_year == year))
            .where(*criteria).options(joinedload(Agency.kota))
            .order_by(Agency.is_active.desc(), Agency.name, Agency.id)
            .limit(per_page).offset((number - 1) * per_page))
        rows = [AgencyRow(agency=a, members=int(c or 0), pending=int(p or 0), pagu=pagu) for a, c, p, pagu in result]
    return AgencyList(query=query, type=kind, rows=rows, year=year,
                      page=ProductPage(items=rows, total=total, page=number, per_page=per_page, sort="terbaru"))


@dataclass
class AgencyReview:
    agency: Agency
    budgets: list[BudgetRow]
    members: list[OfficerMembership]
    history: list[AuditEvent]
    code_locked: bool  # numbered documents exist: the code can no longer change
    ppk_count: int
    warnings: list = field(default_factory=list)


def agency_review(agency_id: int) -> AgencyReview:
    """Everything the agency page shows. Raises NotFound."""
    agency = db.session.scalar(select(Agency).where(Agency.id == agency_id)
                               .options(joinedload(Agency.kota), joinedload(Agency.kecamatan)))
    if agency is None:
        raise NotFound(MSG_NOT_FOUND)
    status_order = case((OfficerMembership.status == MEMBERSHIP_CONFIRMED, 0),
                        (OfficerMembership.status == MEMBERSHIP_PENDING, 1), else_=2)
    members = list(db.session.scalars(
        select(OfficerMembership).join(User, User.id == OfficerMembership.user_id)
        .where(OfficerMembership.agency_id == agency.id)
        .options(joinedload(OfficerMembership.user))
        .order_by(status_order, OfficerMembership.duty, User.name, OfficerMembership.id)))
    history = audit.recent(AuditEvent.agency_id == agency.id,
                           AuditEvent.object_type.in_(("agency", "budget", "officer_membership")),
                           limit=HISTORY_LIMIT)
    return AgencyReview(agency=agency, budgets=budget_rows(agency.id), members=members, history=history,
                        code_locked=has_numbered_documents(agency.id),
                        ppk_count=sum(1 for m in members if m.is_confirmed and m.duty == DUTY_PPK and m.user.active))
