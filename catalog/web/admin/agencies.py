"""Admin: agencies — the list, a new agency, one agency's page (details, budgets per fiscal year,
members), closing and reopening, a budget year's edit page and a member's page (duty, revoke)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from catalog.authz import admin_required
from catalog.models.agencies import AGENCY_TYPES
from catalog.services import agency_admin
from catalog.services.errors import DomainError, NotFound, ValidationFailed
from catalog.services.procurement.officers import duty_name
from catalog.web.admin import bp
from catalog.web.admin.forms_agencies import AgencyForm, BudgetForm, DutyForm, ReasonForm, reason_form


def status_of(error: DomainError) -> int:
    """400 for input that can be fixed, 409 for an action the current state refuses."""
    return 400 if isinstance(error, ValidationFailed) else 409


def attempt(form, action) -> tuple[bool, object, int]:
    """Validate the posted `form` and run `action()`: (True, its result, 200) when it went
    through; (False, None, 400 or 409) with the refusal on the form otherwise. An object the
    action cannot find is a 404. The console's agency and user views share it."""
    if not form.validate_on_submit():
        return False, None, 400
    try:
        return True, action(), 200
    except NotFound:
        abort(404)
    except DomainError as error:
        form.add_domain_error(error)
        return False, None, status_of(error)


def _close_form(form=None):
    return reason_form("close", _l("Alasan penutupan (wajib)"),
                       _l("Pejabatnya tidak dapat lagi membuat permintaan pengadaan. Riwayatnya tetap tersimpan."), form)


def _reopen_form(form=None):
    return reason_form("reopen", _l("Catatan (boleh dikosongkan)"), _l("Dicatat di jejak audit."), form)


def _revoke_form(form=None):
    return reason_form("revoke", _l("Alasan pencabutan (wajib)"),
                       _l("Dikirim ke pejabat. Akunnya tetap ada, tetapi tidak dapat berbelanja untuk instansi."), form)


def _flash_saved(message: str, changed: list) -> None:
    if changed:
        flash(message, "success")
    else:
        flash(_("Tidak ada yang berubah."), "info")


def _flash_member_change(change: agency_admin.MemberChange, message: str) -> None:
    flash(message, "success")
    if change.warning is not None:
        flash(str(change.warning), "warning")


# --- the list and a new agency ----------------------------------------------------------------------

@bp.get("/instansi")
@admin_required
def agencies():
    """Every agency, searched by name or code (?q=), filtered by type (?jenis=), with member
    counts and this year's pagu; pages (?hal=). Admins only (403 for other roles); unknown
    parameters fall back to the defaults."""
    listing = agency_admin.agency_list(request.args.get("q"), request.args.get("jenis"), request.args.get("hal"))
    return render_template("admin/agency_list.html", listing=listing, types=AGENCY_TYPES,
                           type_name=agency_admin.type_name)


@bp.route("/instansi/baru", methods=["GET", "POST"])
@admin_required
def agency_new():
    """Create an agency. Admins only (403 for other roles). Bad input (a code already used, an
    unknown kota, …) shows the form again with the message, status 400, and creates nothing."""
    form = AgencyForm()
    status = 200
    if request.method == "POST":
        done, agency, status = attempt(form, lambda: agency_admin.create_agency(current_user.id, form.fields()))
        if done:
            flash(_("Instansi %(name)s sudah dibuat. Isi pagunya agar pejabatnya dapat berbelanja.",
                    name=agency.name), "success")
            return redirect(url_for("admin.agency_detail", agency_id=agency.id))
    return render_template("admin/agency_new.html", form=form), status


# --- one agency --------------------------------------------------------------------------------------

@bp.get("/instansi/<int:agency_id>")
@admin_required
def agency_detail(agency_id: int):
    """One agency: details with the edit form, budgets per year (committed, realised, remaining)
    with the add form, members, history, close/reopen. Admins only (403 for other roles); 404
    for an unknown agency."""
    return _render_detail(agency_id)


@bp.post("/instansi/<int:agency_id>/ubah")
@admin_required
def agency_update(agency_id: int):
    """Save the agency's details. Admins only (403 for other roles); 404 for an unknown agency.
    Bad input re-renders the page with the message (400; 409 for a code that can no longer
    change) and changes nothing."""
    form = AgencyForm()
    done, changed, status = attempt(form, lambda: agency_admin.update_agency(agency_id, current_user.id, form.fields()))
    if done:
        _flash_saved(_("Data instansi disimpan."), changed)
        return redirect(url_for("admin.agency_detail", agency_id=agency_id))
    return _render_detail(agency_id, agency_form=form), status


@bp.post("/instansi/<int:agency_id>/tutup")
@admin_required
def agency_close(agency_id: int):
    """Close the agency (reason required). Admins only (403 for other roles); 404 for an unknown
    agency; a missing reason 400, an agency already closed 409, nothing changed."""
    return _status_action(agency_id, agency_admin.close_agency, _close_form,
                          _("Instansi ditutup. Pejabatnya tidak dapat lagi membuat permintaan pengadaan."), "close")


@bp.post("/instansi/<int:agency_id>/buka")
@admin_required
def agency_reopen(agency_id: int):
    """Reopen a closed agency. Admins only (403 for other roles); 404 for an unknown agency; an
    agency that is open already 409, nothing changed."""
    return _status_action(agency_id, agency_admin.reopen_agency, _reopen_form, _("Instansi aktif kembali."), "reopen")


def _status_action(agency_id, action, make_form, done_message, slot):
    form = ReasonForm()
    done, _agency, status = attempt(form, lambda: action(agency_id, current_user.id, form.reason.data))
    if done:
        flash(done_message, "success")
        return redirect(url_for("admin.agency_detail", agency_id=agency_id))
    return _render_detail(agency_id, **{f"{slot}_form": make_form(form)}), status


@bp.post("/instansi/<int:agency_id>/pagu")
@admin_required
def agency_budget_create(agency_id: int):
    """Add a fiscal year's budget. Admins only (403 for other roles); 404 for an unknown agency.
    A negative or non-numeric pagu, a target above 100 %, a term outside 1–90 days or a year
    that already has a budget re-renders the page with the message (400) and adds nothing."""
    form = BudgetForm()
    done, budget, status = attempt(form, lambda: agency_admin.create_budget(
        agency_id, current_user.id, form.fiscal_year.data, form.fields()))
    if done:
        flash(_("Pagu tahun %(year)s disimpan.", year=budget.fiscal_year), "success")
        return redirect(url_for("admin.agency_detail", agency_id=agency_id) + "#pagu")
    return _render_detail(agency_id, budget_form=form), status


@bp.route("/instansi/<int:agency_id>/pagu/<int:budget_id>", methods=["GET", "POST"])
@admin_required
def agency_budget_edit(agency_id: int, budget_id: int):
    """Edit one year's pagu and settings. Admins only (403 for other roles); 404 for an unknown
    agency or a budget of another agency. Bad input, or a pagu below what Surat Pesanan already
    commit, shows the form again with the message (400) and changes nothing."""
    try:
        review = agency_admin.agency_review(agency_id)
        budget = agency_admin.budget_of(agency_id, budget_id)
    except NotFound:
        abort(404)
    row = next(r for r in review.budgets if r.budget.id == budget.id)
    if request.method == "GET":
        form = BudgetForm.for_budget(budget)
        return render_template("admin/agency_budget.html", agency=review.agency, row=row, form=form)
    form = BudgetForm()
    done, changed, status = attempt(form, lambda: agency_admin.update_budget(
        agency_id, budget_id, current_user.id, form.fields()))
    if done:
        _flash_saved(_("Pagu tahun %(year)s disimpan.", year=row.budget.fiscal_year), changed)
        return redirect(url_for("admin.agency_detail", agency_id=agency_id) + "#pagu")
    return render_template("admin/agency_budget.html", agency=review.agency, row=row, form=form), status


# --- members ------------------------------------------------------------------------------------------

@bp.get("/instansi/<int:agency_id>/anggota/<int:membership_id>")
@admin_required
def agency_member(agency_id: int, membership_id: int):
    """One member of the agency with the duty change and the revocation. Admins only (403 for
    other roles); 404 for an unknown agency or a member of another agency."""
    return _render_member(agency_id, membership_id)


@bp.post("/instansi/<int:agency_id>/anggota/<int:membership_id>/tugas")
@admin_required
def agency_member_duty(agency_id: int, membership_id: int):
    """Give a confirmed member another duty. Admins only (403 for other roles); 404 for an
    unknown member; an unknown duty 400, the same duty or a member not confirmed 409."""
    form = DutyForm()
    done, change, status = attempt(form, lambda: agency_admin.change_duty(
        agency_id, membership_id, current_user.id, form.duty.data, form.reason.data))
    if done:
        _flash_member_change(change, _("Tugas %(name)s kini %(duty)s.", name=change.membership.user.name,
                                       duty=duty_name(change.membership.duty)))
        return redirect(url_for("admin.agency_detail", agency_id=agency_id) + "#anggota")
    return _render_member(agency_id, membership_id, duty_form=form), status


@bp.post("/instansi/<int:agency_id>/anggota/<int:membership_id>/cabut")
@admin_required
def agency_member_revoke(agency_id: int, membership_id: int):
    """Revoke a confirmed membership (reason required). Admins only (403 for other roles); 404
    for an unknown member; a missing reason 400, a member not confirmed 409."""
    form = ReasonForm()
    done, change, status = attempt(form, lambda: agency_admin.revoke_membership(
        agency_id, membership_id, current_user.id, form.reason.data))
    if done:
        _flash_member_change(change, _("Keanggotaan %(name)s dicabut.", name=change.membership.user.name))
        return redirect(url_for("admin.agency_detail", agency_id=agency_id) + "#anggota")
    return _render_member(agency_id, membership_id, revoke_form=_revoke_form(form)), status


# --- rendering ----------------------------------------------------------------------------------------

def _review(agency_id: int) -> agency_admin.AgencyReview:
    try:
        return agency_admin.agency_review(agency_id)
    except NotFound:
        abort(404)


def _render_detail(agency_id: int, *, agency_form=None, budget_form=None, close_form=None, reopen_form=None):
    review = _review(agency_id)
    agency = review.agency
    if budget_form is None:
        budget_form = BudgetForm(formdata=None)
        taken = {row.budget.fiscal_year for row in review.budgets}
        first, last = agency_admin.year_range()
        free = [year for year in range(last, first - 1, -1) if year not in taken]
        budget_form.fiscal_year.data = str(min(free, key=lambda y: abs(y - (last - 1)))) if free else ""
    if agency.is_active:
        status_form, stale = close_form or _close_form(), reopen_form
    else:
        status_form, stale = reopen_form or _reopen_form(), close_form
    if stale is not None:  # e.g. "close" sent for an agency already closed: the message goes on the form shown
        status_form.form_errors.extend(stale.form_errors)
    return render_template(
        "admin/agency_detail.html", review=review, agency=agency,
        agency_form=agency_form or AgencyForm.for_agency(agency), budget_form=budget_form, status_form=status_form,
        type_name=agency_admin.type_name, policy_names=agency_admin.POLICY_NAMES, duty_name=duty_name,
    )


def _render_member(agency_id: int, membership_id: int, *, duty_form=None, revoke_form=None):
    review = _review(agency_id)
    member = next((m for m in review.members if m.id == membership_id), None)
    if member is None:
        abort(404)
    if duty_form is None:
        duty_form = DutyForm(formdata=None)
        duty_form.duty.data = member.duty
    return render_template("admin/agency_member.html", agency=review.agency, member=member, review=review,
                           duty_form=duty_form, revoke_form=revoke_form or _revoke_form(), duty_name=duty_name)
