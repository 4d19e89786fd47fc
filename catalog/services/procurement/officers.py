"""Who may act for an agency: a confirmed officer, and for some steps a particular duty."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import OfficerMembership, User
from catalog.models.agencies import DUTY_BENDAHARA, DUTY_PP, DUTY_PPK, MEMBERSHIP_CONFIRMED
from catalog.services.errors import PermissionDenied

DUTY_NAMES = {DUTY_PP: _l("Pejabat Pengadaan"), DUTY_PPK: _l("PPK"), DUTY_BENDAHARA: _l("Bendahara Pengeluaran")}


def membership(user: User) -> OfficerMembership:
    """The user's confirmed membership; officers waiting for the Dinas may browse, not buy."""
    member = user.membership if user.role == "officer" else None
    if member is None or not member.is_confirmed:
        raise PermissionDenied(_l("Akun Anda belum dikonfirmasi Dinas sebagai pejabat sebuah instansi."))
    return member


def require_duty(user: User, *duties: str) -> OfficerMembership:
    member = membership(user)
    if member.duty not in duties:
        names = ", ".join(str(DUTY_NAMES[d]) for d in duties)
        raise PermissionDenied(_l("Langkah ini hanya untuk %(duties)s instansi.", duties=names))
    return member


def duty_name(duty: str) -> str:
    return str(DUTY_NAMES.get(duty, duty))


def confirmed_members(agency_id: int, duty: str) -> list[User]:
    """The agency's active, confirmed officers with this duty, by name."""
    return list(db.session.scalars(
        select(User).join(OfficerMembership, OfficerMembership.user_id == User.id)
        .where(OfficerMembership.agency_id == agency_id, OfficerMembership.duty == duty,
               OfficerMembership.status == MEMBERSHIP_CONFIRMED, User.active.is_(True))
        .order_by(User.name)))
