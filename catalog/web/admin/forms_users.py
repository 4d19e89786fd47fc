"""Admin forms for user accounts: deactivate/reactivate with a reason, the reset link (only the
CSRF token), and the role change. The rules live in services/user_admin.py."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from catalog.models.users import ROLES
from catalog.services import user_admin
from catalog.services.verification import REASON_MAX
from catalog.web.admin.forms_agencies import REASON_TOO_LONG, reason_form
from catalog.web.auth.forms import AccountBaseForm


class ResetLinkForm(AccountBaseForm):
    """Nothing to fill in: the button and its CSRF token."""


class RoleForm(AccountBaseForm):
    role = SelectField(_l("Peran baru"), validate_choice=False)
    reason = TextAreaField(_l("Alasan (wajib)"), id="role-reason",
                           description=_l("Dicatat di jejak audit bersama peran lama dan baru."),
                           validators=[Length(max=REASON_MAX, message=REASON_TOO_LONG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(role, user_admin.role_name(role)) for role in ROLES]


def status_form(active: bool, form=None):
    """The deactivate form (reason required) for an active account, the reactivate one otherwise."""
    if active:
        return reason_form("deactivate", _l("Alasan menonaktifkan (wajib)"),
                           _l("Pengguna langsung keluar dari semua perangkat dan tidak dapat masuk lagi."), form)
    return reason_form("reactivate", _l("Catatan (boleh dikosongkan)"), _l("Dicatat di jejak audit."), form)
