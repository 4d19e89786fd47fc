"""Admin forms for the officer and report queues: one decision (hidden `action` + `reason`), as
on a seller's page (forms.SellerDecisionForm), with the actions of each queue."""

from flask import abort
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired

from catalog.services.errors import DomainError, NotFound
from catalog.web.admin.forms import MSG_UNKNOWN_ACTION, SellerDecisionForm

ACTION_CONFIRM = "confirm"
ACTION_REJECT = "reject"
ACTION_UPHOLD = "uphold"
ACTION_DISMISS = "dismiss"

REASON_TEXT = {
    ACTION_REJECT: (_l("Alasan penolakan (wajib)"),
                    _l("Dikirim ke pejabat. Misalnya: surat tugas tidak terbaca, NIP tidak sesuai dengan surat.")),
    ACTION_UPHOLD: (_l("Alasan penyembunyian (wajib)"),
                    _l("Dikirim ke penjual dan dicatat di jejak audit. Produk langsung hilang dari katalog.")),
    ACTION_DISMISS: (_l("Catatan (boleh dikosongkan)"), _l("Dicatat di jejak audit.")),
}


def _action_field(actions: tuple[str, ...]) -> HiddenField:
    return HiddenField(validators=[DataRequired(MSG_UNKNOWN_ACTION), AnyOf(actions, message=MSG_UNKNOWN_ACTION)])


class OfficerDecisionForm(SellerDecisionForm):
    """Confirm or reject an officer's application."""

    action = _action_field((ACTION_CONFIRM, ACTION_REJECT))


class ReportDecisionForm(SellerDecisionForm):
    """Hide the reported product (uphold) or dismiss the reports."""

    action = _action_field((ACTION_UPHOLD, ACTION_DISMISS))


def queue_decision_form(form_class, action: str, form=None):
    """A blank form for `action` (or the posted one), its reason box with its own id and label,
    so one page can hold several."""
    if form is None:
        form = form_class(formdata=None)
        form.action.data = action
    form.reason.id = f"reason-{action}"
    form.reason.label.field_id = form.reason.id
    if action in REASON_TEXT:
        form.reason.label.text, form.reason.description = REASON_TEXT[action]
    return form


def run_decision(form, call) -> tuple[bool, int]:
    """Validate a posted decision and run `call(action, reason)`: (done, HTTP status for the page
    shown again). A refusal lands on the form: 400 for bad input, 409 for a refused transition;
    an unknown object is a 404."""
    if not form.validate_on_submit():
        return False, 400
    try:
        call(form.action.data, form.reason.data)
    except NotFound:
        abort(404)
    except DomainError as error:
        form.add_domain_error(error)
        return False, 400 if error.field else 409
    return True, 200


def decision_forms(form_class, actions: tuple[str, ...], failed=None, already_decided=None) -> tuple[dict, list]:
    """The blank forms of the actions available now, with the posted one back in its place when
    it failed; and the messages that belong to no reason box (a forged or no-longer-available
    action says `already_decided`)."""
    forms = {action: queue_decision_form(form_class, action) for action in actions}
    if failed is None:
        return forms, []
    if failed.action.data in forms:
        forms[failed.action.data] = queue_decision_form(form_class, failed.action.data, failed)
        return forms, list(failed.form_errors)
    return forms, failed.general_errors or [already_decided]
