"""Admin forms: the verification decisions on a seller's page.

The reason rules (required for reject and suspend, 10–500 characters) live in
services/verification.py; the form only carries what was typed back to the right box.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from catalog.services.verification import REASON_MAX

ACTION_VERIFY = "verify"
ACTION_REJECT = "reject"
ACTION_SUSPEND = "suspend"
ACTION_REINSTATE = "reinstate"
ACTIONS = (ACTION_VERIFY, ACTION_REJECT, ACTION_SUSPEND, ACTION_REINSTATE)
MSG_UNKNOWN_ACTION = _l("Tindakan tidak dikenal. Muat ulang halaman lalu pilih tindakan dari tombol yang ada.")

REASON_LABELS = {
    ACTION_REJECT: _l("Alasan penolakan (wajib)"),
    ACTION_SUSPEND: _l("Alasan pembekuan (wajib)"),
    ACTION_REINSTATE: _l("Catatan (boleh dikosongkan)"),
}
REASON_HELP = {
    ACTION_REJECT: _l("Dikirim ke penjual. Sebutkan apa yang perlu diperbaiki, misalnya dokumen NIB tidak terbaca."),
    ACTION_SUSPEND: _l("Dikirim ke penjual dan dicatat di jejak audit. Semua produknya langsung disembunyikan."),
    ACTION_REINSTATE: _l("Dicatat di jejak audit."),
}


class SellerDecisionForm(FlaskForm):
    """One decision on a seller; the detail page shows one of these per available action."""

    action = HiddenField(validators=[DataRequired(MSG_UNKNOWN_ACTION), AnyOf(ACTIONS, message=MSG_UNKNOWN_ACTION)])
    reason = TextAreaField(_l("Alasan"), validators=[Length(max=REASON_MAX, message=_l(
        "Alasan terlalu panjang: maksimal %(max)d karakter."))])

    def add_domain_error(self, error) -> None:
        """Show a service's refusal on the reason box when it names it, else above the buttons."""
        if getattr(error, "field", None) == "reason":
            self.reason.errors = [*self.reason.errors, error.message]
        else:
            self.form_errors.append(error.message)

    @property
    def general_errors(self) -> list:
        return [*self.form_errors, *self.action.errors, *self.errors.get("csrf_token", [])]


def decision_form(action: str, form: SellerDecisionForm | None = None) -> SellerDecisionForm:
    """A decision form for `action` (a blank one, or `form` as it was posted) whose reason box has
    its own id, label and help, so one page can hold several (ids stay unique and errors land on
    the form that was sent)."""
    if form is None:
        form = SellerDecisionForm(formdata=None)
        form.action.data = action
    form.reason.id = f"reason-{action}"
    form.reason.label.field_id = form.reason.id
    if action in REASON_LABELS:
        form.reason.label.text = REASON_LABELS[action]
        form.reason.description = REASON_HELP[action]
    return form
