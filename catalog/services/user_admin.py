"""The Dinas' care of user accounts: search, deactivate and reactivate, a password-reset link
sent by email, and role changes with their rules.

Every change is one transaction with its audit event (object type "user", before/after and the
admin's reason). An admin never sees or sets a password: the reset goes to the user's inbox.
"""

from collections.abc import Callable
from dataclasses import dataclass
from math import ceil

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.models import AuditEvent, OfficerMembership, Order, Product, PurchaseOrder, User
from catalog.models.agencies import MEMBERSHIP_CONFIRMED, MEMBERSHIP_PENDING
from catalog.models.users import ROLE_ADMIN, ROLE_OFFICER, ROLE_SELLER, ROLES, new_session_token
from catalog.services import accounts, agency_admin, audit, mail
from catalog.services.catalogue import ProductPage, clean_query, page_number
from catalog.services.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from catalog.services.verification import clean_reason

LIST_PER_PAGE = 25
SEARCH_MAX = 100
HISTORY_LIMIT = 20
STATUS_ACTIVE = "aktif"
STATUS_INACTIVE = "nonaktif"
STATUSES = (STATUS_ACTIVE, STATUS_INACTIVE)

ROLE_NAMES = {
    "shopper": _l("Pembeli"),
    "seller": _l("Penjual"),
    "officer": _l("Petugas Pengadaan"),
    "admin": _l("Admin Dinas"),
}

MSG_NOT_FOUND = _l("Pengguna tidak ditemukan.")
MSG_SELF_DEACTIVATE = _l("Anda tidak dapat menonaktifkan akun Anda sendiri. Minta admin lain bila perlu.")
MSG_SELF_ROLE = _l("Anda tidak dapat mengubah peran akun Anda sendiri. Minta admin lain bila perlu.")
MSG_ALREADY_INACTIVE = _l("Akun ini sudah nonaktif.")
MSG_ALREADY_ACTIVE = _l("Akun ini sudah aktif.")
MSG_LAST_ADMIN = _l("Ini satu-satunya admin Dinas yang aktif. Jadikan pengguna lain admin terlebih dahulu.")
MSG_ROLE = _l("Pilih peran dari daftar.")
MSG_RESET_INACTIVE = _l("Akun ini nonaktif: tautan atur ulang kata sandi tidak akan berlaku. Aktifkan akunnya "
                        "terlebih dahulu.")


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


# --- the list -------------------------------------------------------------------------------------

@dataclass
class UserList:
    query: str
    role: str
    status: str
    rows: list[User]
    page: ProductPage


def user_list(query: object = None, role: object = None, status: object = None, page: object = None,
              per_page: int = LIST_PER_PAGE) -> UserList:
    """One page of accounts, newest first, searched by name or email, filtered by role and by
    active/inactive. Two statements (count, page with seller and membership joined)."""
    query = clean_query(query)[:SEARCH_MAX]
    role = role if isinstance(role, str) and role in ROLES else ""
    status = status if isinstance(status, str) and status in STATUSES else ""
    criteria = []
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        criteria.append(or_(User.name.ilike(f"%{escaped}%", escape="\\"),
                            User.email.ilike(f"%{escaped}%", escape="\\")))
    if role:
        criteria.append(User.role == role)
    if status:
        criteria.append(User.active.is_(status == STATUS_ACTIVE))
    total = db.session.scalar(select(func.count(User.id)).where(*criteria)) or 0
    pages = max(ceil(total / per_page), 1)
    number = min(page_number(page), pages)
    rows: list[User] = []
    if total:
        rows = list(db.session.scalars(
            select(User).where(*criteria)
            .options(joinedload(User.seller), joinedload(User.membership).joinedload(OfficerMembership.agency))
            .order_by(User.created_at.desc(), User.id.desc())
            .limit(per_page).offset((number - 1) * per_page)))
    return UserList(query=query, role=role, status=status, rows=rows,
                    page=ProductPage(items=rows, total=total, page=number, per_page=per_page, sort="terbaru"))


# --- one account ------------------------------------------------------------------------------------

@dataclass
class UserReview:
    user: User
    history: list[AuditEvent]  # events about the account, and what the account did, newest first
    seller_blocks_role_change: bool


def user_review(user_id: int) -> UserReview:
    """The account with its seller profile and membership, and its recent audit events. Raises
    NotFound."""
    user = db.session.scalar(
        select(User).where(User.id == user_id)
        .options(joinedload(User.seller), joinedload(User.membership).joinedload(OfficerMembership.agency)))
    if user is None:
        raise NotFound(MSG_NOT_FOUND)
    history = audit.recent(or_(AuditEvent.actor_id == user.id,
                               (AuditEvent.object_type == "user") & (AuditEvent.object_id == str(user.id))),
                           limit=HISTORY_LIMIT)
    return UserReview(user=user, history=history,
                      seller_blocks_role_change=user.seller is not None and _seller_has_business(user.seller.id))


def _user_for_update(user_id: int) -> User:
    user = db.session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(MSG_NOT_FOUND)
    return user


def _active_admins() -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.role == ROLE_ADMIN, User.active.is_(True))) or 0


def _refuse_last_admin(user: User) -> None:
    if user.role == ROLE_ADMIN and user.active and _active_admins() <= 1:
        raise InvalidTransition(MSG_LAST_ADMIN)


# --- deactivate / reactivate ----------------------------------------------------------------------------

def deactivate_user(user_id: int, admin_id: int, reason: str | None) -> User:
    """Switch an account off: it can no longer log in, and every session it has (on any device,
    "remember me" included) ends at its next request, because the session token is rotated.
    Reason required. Commits."""
    reason = clean_reason(reason, required=True)
    if user_id == admin_id:
        raise PermissionDenied(MSG_SELF_DEACTIVATE)
    user = _user_for_update(user_id)
    if not user.active:
        raise InvalidTransition(MSG_ALREADY_INACTIVE)
    _refuse_last_admin(user)
    user.active = False
    user.session_token = new_session_token()
    audit.record("user.deactivated", user, actor_id=admin_id, before={"active": True}, after={"active": False},
                 reason=reason)
    db.session.commit()
    return user


def reactivate_user(user_id: int, admin_id: int, reason: str | None = None) -> User:
    reason = clean_reason(reason, required=False)
    user = _user_for_update(user_id)
    if user.active:
        raise InvalidTransition(MSG_ALREADY_ACTIVE)
    user.active = True
    audit.record("user.reactivated", user, actor_id=admin_id, before={"active": False}, after={"active": True},
                 reason=reason)
    db.session.commit()
    return user


# --- password reset link ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResetSent:
    user: User
    delivered: bool  # False when the mail server refused (the admin may try again later)
    logged_only: bool  # no mail server configured: the message went to the server log


def send_reset_link(user_id: int, admin_id: int, link_for: Callable[[str], str]) -> ResetSent:
    """Email the user the same reset link as "Lupa kata sandi" (same template, same expiry,
    usable once). `link_for(token)` builds the absolute URL. The admin never sees the link:
    whoever holds it can take over the account. The attempt is audited (never the token). Commits."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(MSG_NOT_FOUND)
    if not user.active:
        raise InvalidTransition(MSG_RESET_INACTIVE)
    minutes = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
    locale = user.locale if user.locale in current_app.config["LANGUAGES"] else "id"
    with force_locale(locale):
        body = render_template("email/reset_password.txt", user=user, minutes=minutes,
                               reset_url=link_for(accounts.make_reset_token(user)))
        subject = str(_l("Atur ulang kata sandi Katalog UMKM"))
    delivered = mail.send_email(user.email, subject, body)
    audit.record("user.password_reset_sent", user, actor_id=admin_id, after={"email": user.email,
                                                                             "delivered": delivered})
    db.session.commit()
    return ResetSent(user=user, delivered=delivered, logged_only=not current_app.config.get("MAIL_SERVER"))


# --- role -------------------------------------------------------------------------------------------------

def _seller_has_business(seller_id: int) -> bool:
    """Products, shop orders or Surat Pesanan: a seller with any of these keeps the seller role."""
    return bool(db.session.scalar(select(
        exists().where(Product.seller_id == seller_id)
        | exists().where(Order.seller_id == seller_id)
        | exists().where(PurchaseOrder.seller_id == seller_id))))


@dataclass(frozen=True)
class RoleChange:
    user: User
    before: str
    membership_revoked: bool


def change_role(user_id: int, admin_id: int, role: str | None, reason: str | None) -> RoleChange:
    """Give an account another role. Refused for yourself, for the last active admin, and for a
    seller whose shop has products or orders. An officer who becomes something else loses the
    agency membership (revoked with the same reason). Reason required. Commits."""
    if role not in ROLES:
        raise ValidationFailed(MSG_ROLE, field="role")
    reason = clean_reason(reason, required=True)
    if user_id == admin_id:
        raise PermissionDenied(MSG_SELF_ROLE)
    user = _user_for_update(user_id)
    if user.role == role:
        raise InvalidTransition(_l("Akun ini sudah berperan sebagai %(role)s.", role=role_name(role)), field="role")
    _refuse_last_admin(user)
    if user.role == ROLE_SELLER and user.seller is not None and _seller_has_business(user.seller.id):
        raise InvalidTransition(_l(
            "Akun ini pemilik toko %(shop)s yang sudah punya produk atau pesanan, jadi perannya tetap Penjual. "
            "Bekukan tokonya bila penjualannya perlu dihentikan.", shop=user.seller.business_name))
    before = user.role
    user.role = role
    revoked = False
    member = user.membership
    if before == ROLE_OFFICER and member is not None and member.status in (MEMBERSHIP_CONFIRMED, MEMBERSHIP_PENDING):
        agency_admin.revoke(member, admin_id, reason)
        revoked = True
    audit.record("user.role_changed", user, actor_id=admin_id, before={"role": before},
                 after={"role": role, "membership_revoked": revoked}, reason=reason)
    db.session.commit()
    return RoleChange(user=user, before=before, membership_revoked=revoked)
