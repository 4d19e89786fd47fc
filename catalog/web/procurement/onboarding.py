"""Officer self-registration (/pengadaan/daftar): a shopper applies to act for an agency with a
duty, NIP and the letter of assignment, sees the application's status while the Dinas checks it,
and applies again after a rejection.

Any logged-in user may open the page (it says what applies to their account); only a shopper
or a rejected officer may send it. POSTs go through the global CSRF check.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, StringField

from catalog.authz import login_required
from catalog.models.agencies import MEMBERSHIP_REJECTED
from catalog.models.users import ROLE_OFFICER, ROLE_SHOPPER
from catalog.services import officer_onboarding
from catalog.services.errors import DomainError, PermissionDenied
from catalog.services.uploads import ACCEPT_DOCUMENTS
from catalog.web.auth.forms import AccountBaseForm
from catalog.web.procurement import bp


class OfficerApplicationForm(AccountBaseForm):
    """The checks live in services/officer_onboarding.apply; its refusals land on these fields."""

    agency_id = SelectField(_l("Instansi"), validate_choice=False)
    duty = SelectField(_l("Tugas Anda di instansi"), validate_choice=False)
    employee_number = StringField(_l("NIP"), description=_l("18 angka, tanpa spasi."))
    letter = FileField(_l("SK atau surat tugas"),
                       description=_l("PDF atau foto surat yang jelas terbaca, maksimal 10 MB. Hanya Dinas yang dapat "
                                      "melihatnya."),
                       render_kw={"accept": ACCEPT_DOCUMENTS})

    def fill_choices(self) -> None:
        agencies = officer_onboarding.active_agencies()
        self.agency_id.choices = [SelectChoice("", _("— Pilih instansi —"))] + [
            SelectChoice(str(a.id), f"{a.name} ({a.kota.name})" if a.kota else a.name) for a in agencies]
        self.duty.choices = [SelectChoice("", _("— Pilih tugas —"))] + [
            SelectChoice(key, label) for key, label in officer_onboarding.DUTY_LABELS.items()]


def _can_apply(user) -> bool:
    membership = user.membership
    if user.seller is not None or user.role not in (ROLE_SHOPPER, ROLE_OFFICER):
        return False
    return membership is None or membership.status == MEMBERSHIP_REJECTED


@bp.route("/daftar", methods=["GET", "POST"])
@login_required
def officer_application():
    """The application form, or the status of the user's application (waiting, rejected with
    the reason and the form to apply again, confirmed). Any logged-in user; a seller or admin
    account sees why it cannot apply, and a POST from one answers 403. Bad input shows the form
    again with the message (400; 409 when already applied) and changes nothing."""
    user = current_user._get_current_object()
    form = OfficerApplicationForm()
    form.fill_choices()
    status = 200
    membership = user.membership
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                officer_onboarding.apply(user, form.agency_id.data, form.duty.data, form.employee_number.data,
                                         form.letter.data)
            except PermissionDenied as error:
                form.add_domain_error(error)
                status = 403
            except DomainError as error:
                form.add_domain_error(error)
                status = 400 if error.field else 409
            else:
                flash(_("Pendaftaran Anda terkirim. Dinas akan memeriksa surat tugas Anda; kami beri tahu lewat "
                        "notifikasi dan email."), "success")
                return redirect(url_for("procurement.officer_application"))
    elif membership is not None and membership.status == MEMBERSHIP_REJECTED:
        # Applying again: start from what was sent last time (the letter must be uploaded anew).
        form.agency_id.data = str(membership.agency_id)
        form.duty.data = membership.duty
        form.employee_number.data = membership.employee_number
    return render_template("procurement/onboarding.html", form=form, membership=membership,
                           can_apply=_can_apply(user), duty_labels=officer_onboarding.DUTY_LABELS), status
