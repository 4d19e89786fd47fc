"""The officer's start page (/pengadaan/) and purchase requests: the list with state tabs (a PPK
sees "Menunggu persetujuan saya" first), one request with its lines, Surat Pesanan, timeline and
the actions its state and the officer's duty allow: order directly (Pejabat Pengadaan, up to
Rp200 juta), submit to the PPK, approve against the budget, reject or cancel with a reason.

Every view is for a confirmed officer of an agency (`agency_officer_required`, with the duty
each action needs: a wrong duty or an unconfirmed officer → 403). Every request is fetched
through `requests.agency_request`, so another agency's id answers 404 for GET and POST alike.
A refusal (DomainError) is shown on the page and changes nothing. POSTs need the CSRF token."""

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from catalog.authz import agency_officer_required, current_membership
from catalog.extensions import db
from catalog.models import AuditEvent, PurchaseOrder, PurchaseRequest, PurchaseRequestLine
from catalog.models.agencies import DUTY_PP, DUTY_PPK
from catalog.models.procurement import DIRECT_PURCHASE_LIMIT, PR_SUBMITTED
from catalog.services import states
from catalog.services.catalogue import page_number
from catalog.services.errors import DomainError, NotFound
from catalog.services.procurement import agency_lists, budget, officers, requests
from catalog.services.timeline import Step
from catalog.web.procurement import bp
from catalog.web.procurement.forms import ApproveForm, ReasonForm, attach_error, run_and_flash

# The requests list's ?status= tabs as the officer reads them.
TAB_LABELS = {
    agency_lists.REQUEST_TAB_MINE: _l("Menunggu persetujuan saya"), agency_lists.REQUEST_TAB_ALL: _l("Semua"),
    "draf": _l("Draf"), "menunggu-ppk": _l("Menunggu PPK"), "penawaran": _l("Penawaran"),
    "berjalan": _l("Berjalan"), "selesai": _l("Selesai"), "batal": _l("Ditolak/Batal"),
}


def dashboard_url() -> str | None:
    """The Inpres 2/2022 dashboard's address once its page exists (web/procurement/dashboard.py)."""
    if "procurement.dashboard" in current_app.view_functions:
        return url_for("procurement.dashboard")
    return None


def tabbed_list(template: str, page, default: str, tabs: list[tuple[str, str]], /, **context):
    """A list page with state tabs: `tab` is the page's, `params` keep ?status= in the page links
    unless it is the default tab."""
    return render_template(template, page=page, tab=page.tab, tabs=tabs,
                           params={"status": page.tab} if page.tab != default else {}, **context)


# --- the start page ------------------------------------------------------------------------------

@bp.get("/", endpoint="home")
@agency_officer_required()
def home():
    """What waits for the officer: the Pejabat Pengadaan's cart, drafts and turned-down requests;
    the PPK's approvals, Surat Pesanan waiting for a BAST and ratings due; the Bendahara's invoices
    (the most overdue first). Confirmed officers of any duty; others 403."""
    member = current_membership()
    tasks = agency_lists.tasks_for(member.agency_id, current_user, member.duty)
    return render_template("procurement/home.html", member=member, tasks=tasks,
                           duty_name=officers.duty_name(member.duty), dashboard_url=dashboard_url())


# --- the list ------------------------------------------------------------------------------------

@bp.get("/permintaan", endpoint="requests")
@agency_officer_required()
def requests_index():
    """The agency's purchase requests, newest first, with tabs by state (?status=) and pages
    (?hal=); a PPK starts on the ones waiting for them. Confirmed officers; others 403. Never 404."""
    member = current_membership()
    page = agency_lists.request_page(member.agency_id, current_user.id, member.duty, request.args.get("status"),
                                     page_number(request.args.get("hal")))
    default = agency_lists.default_request_tab(member.duty)
    return tabbed_list("procurement/requests/index.html", page, default,
                       [(key, TAB_LABELS[key]) for key in agency_lists.request_tabs(member.duty)],
                       default_tab=default, state_name=states.state_name)


# --- one request ---------------------------------------------------------------------------------

def _request_or_404(request_id: int) -> PurchaseRequest:
    try:
        return requests.agency_request(current_user, request_id)
    except NotFound:
        abort(404)


def _request_loaded(request_id: int) -> PurchaseRequest:
    pr = _request_or_404(request_id)
    # What the page shows, in a few statements (a request may have a hundred lines).
    db.session.scalars(select(PurchaseRequest).where(PurchaseRequest.id == pr.id).options(
        selectinload(PurchaseRequest.lines).selectinload(PurchaseRequestLine.seller),
        selectinload(PurchaseRequest.purchase_orders).selectinload(PurchaseOrder.seller),
        selectinload(PurchaseRequest.purchase_orders).selectinload(PurchaseOrder.invoice),
    )).all()
    return pr


def request_timeline(pr: PurchaseRequest) -> list[Step]:
    """The request's steps from the audit trail: its own events and those of its Surat Pesanan
    and their invoices, oldest first, each with who did it (one query and the actors')."""
    orders = {str(po.id): po for po in pr.purchase_orders}
    invoices = {str(po.invoice.id): po for po in pr.purchase_orders if po.invoice is not None}
    conditions = [and_(AuditEvent.object_type == "purchase_request", AuditEvent.object_id == str(pr.id))]
    if orders:
        conditions.append(and_(AuditEvent.object_type == "purchase_order", AuditEvent.object_id.in_(list(orders))))
    if invoices:
        conditions.append(and_(AuditEvent.object_type == "invoice", AuditEvent.object_id.in_(list(invoices))))
    events = db.session.scalars(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)
                                .options(selectinload(AuditEvent.actor))).all()
    steps = []
    for event in events:
        po = orders.get(event.object_id) if event.object_type == "purchase_order" else invoices.get(event.object_id)
        text = describe(event, po)
        if text:
            who = event.actor.name if event.actor is not None else _("sistem")
            steps.append(Step(at=event.created_at, text=f"{text} — {who}"))
    return steps


def describe(event: AuditEvent, po: PurchaseOrder | None) -> str | None:
    """One audit event of a request, its Surat Pesanan or invoice as a sentence."""
    action = event.action.split(".", 1)[1]
    reason = (event.reason or "").strip()
    after = event.after or {}
    if event.object_type == "purchase_request":
        text = {
            "created": _("Permintaan dibuat"),
            "submitted": _("Diajukan ke PPK"),
            "approved": _("Disetujui"),
            "ordered": _("Surat Pesanan terbit: %(numbers)s", numbers=", ".join(after.get("orders") or [])),
            "rejected": _("Ditolak PPK"),
            "cancelled": _("Dibatalkan"),
        }.get(action) or _("Status: %(state)s", state=states.state_name(action))
        if action == "approved" and after.get("over_budget"):
            text += " " + _("(melebihi sisa pagu)")
        return f"{text}: {reason}" if reason else text
    number = po.number if po is not None else ""
    if event.object_type == "invoice":
        text = {"issued": _("Tagihan %(invoice)s diterbitkan (%(number)s)", invoice=after.get("number", ""), number=number),
                "paid": _("Tagihan %(number)s dibayar", number=number)}.get(action)
        return text
    text = {
        "issued": _("%(number)s diterbitkan", number=number),
        "accepted": _("%(number)s diterima penjual", number=number),
        "declined": _("%(number)s ditolak penjual", number=number),
        "delivery": _("%(number)s: barang dikirim", number=number),
        "bast": _("%(number)s: BAST %(bast)s dicatat", number=number, bast=after.get("number", "")),
        "received": _("%(number)s: semua barang diterima", number=number),
        "rated": _("%(number)s: penjual dinilai", number=number),
    }.get(action)
    if text is None:
        return None  # shipped / invoiced / paid repeat a step told above
    return f"{text}: {reason}" if reason else text


@dataclass(frozen=True)
class BudgetView:
    """What the PPK sees before approving (read without the lock that approval itself takes)."""

    pagu: int | None
    committed: int
    amount: int
    policy: str | None

    @property
    def remaining(self) -> int | None:
        return None if self.pagu is None else self.pagu - self.committed

    @property
    def fits(self) -> bool:
        return self.remaining is not None and self.amount <= self.remaining


def budget_view(pr: PurchaseRequest) -> BudgetView:
    year_budget = budget.budget_for(pr.agency_id, pr.fiscal_year)
    return BudgetView(pagu=year_budget.pagu if year_budget else None,
                      committed=budget.committed(pr.agency_id, pr.fiscal_year), amount=pr.total,
                      policy=year_budget.overspend_policy if year_budget else None)


def _detail_page(pr, *, approve_form=None, reject_form=None, cancel_form=None, status=200):
    member = current_membership()
    can_cancel = pr.status in requests.CANCELLABLE and (member.duty == DUTY_PPK or
                                                         (member.duty == DUTY_PP and pr.requester_id == current_user.id))
    return render_template(
        "procurement/requests/detail.html", pr=pr, member=member, state_name=states.state_name,
        steps=request_timeline(pr), limit=DIRECT_PURCHASE_LIMIT,
        budget=budget_view(pr) if member.duty == DUTY_PPK and pr.status == PR_SUBMITTED else None,
        approve_form=approve_form or ApproveForm(formdata=None), reject_form=reject_form or ReasonForm(formdata=None),
        cancel_form=cancel_form or ReasonForm(formdata=None), can_cancel=can_cancel,
    ), status


@bp.get("/permintaan/<int:request_id>", endpoint="request_detail")
@agency_officer_required()
def request_detail(request_id: int):
    """One request of the officer's agency. Confirmed officers; others 403; another agency's 404."""
    return _detail_page(_request_loaded(request_id))


def _to_request(pr):
    return redirect(url_for("procurement.request_detail", request_id=pr.id))


def _act(request_id: int, act, done: str):
    """An action that is only a button: run it, then back to the request with `done` or the refusal."""
    pr = _request_or_404(request_id)
    run_and_flash(lambda: act(pr), done)
    return _to_request(pr)


@bp.post("/permintaan/<int:request_id>/pesan", endpoint="request_order")
@agency_officer_required(DUTY_PP)
def request_order(request_id: int):
    """Pesan langsung: the Pejabat Pengadaan orders a draft up to Rp200 juta at once (budget
    checked, a Surat Pesanan per seller). Confirmed PP; others 403; another agency's 404."""
    return _act(request_id, lambda pr: requests.submit(pr, current_user, direct=True),
                _("Pesanan langsung dibuat. Surat Pesanan sudah dikirim ke penjual."))


@bp.post("/permintaan/<int:request_id>/ajukan", endpoint="request_submit")
@agency_officer_required(DUTY_PP, DUTY_PPK)
def request_submit(request_id: int):
    """Send a draft to its PPK for approval. Confirmed PP or PPK; others 403; another agency's 404."""
    return _act(request_id, lambda pr: requests.submit(pr, current_user, direct=False),
                _("Permintaan diajukan ke PPK."))


def _with_form(request_id: int, form, form_name: str, act, done: str):
    """Approve, reject or cancel with what was typed; a refusal comes back beside the field
    (the form left open) or on top of the page, and nothing changes."""
    pr = _request_or_404(request_id)
    if not form.validate():
        return _detail_page(_request_loaded(pr.id), status=422, **{form_name: form})
    try:
        act(pr, form.reason.data)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _detail_page(_request_loaded(request_id), status=422, **{form_name: form})
    flash(done, "success")
    return _to_request(pr)


@bp.post("/permintaan/<int:request_id>/setujui", endpoint="request_approve")
@agency_officer_required(DUTY_PPK)
def request_approve(request_id: int):
    """The PPK approves: the budget is checked (refused, or warned by agency setting) and a
    Surat Pesanan issued per seller. Confirmed PPK; others 403; another agency's 404."""
    return _with_form(request_id, ApproveForm(), "approve_form",
                      lambda pr, reason: requests.approve(pr, current_user, reason=reason),
                      _("Permintaan disetujui. Surat Pesanan sudah dikirim ke penjual."))


@bp.post("/permintaan/<int:request_id>/tolak", endpoint="request_reject")
@agency_officer_required(DUTY_PPK)
def request_reject(request_id: int):
    """The PPK turns a request down with a reason (required). Confirmed PPK; others 403;
    another agency's 404."""
    return _with_form(request_id, ReasonForm(), "reject_form",
                      lambda pr, reason: requests.reject(pr, current_user, reason=reason),
                      _("Permintaan ditolak. Pembuatnya sudah diberi tahu alasannya."))


@bp.post("/permintaan/<int:request_id>/batalkan", endpoint="request_cancel")
@agency_officer_required(DUTY_PP, DUTY_PPK)
def request_cancel(request_id: int):
    """The requester or a PPK calls a request off before approval, with a reason (required).
    Confirmed PP or PPK; others 403; another agency's 404."""
    return _with_form(request_id, ReasonForm(), "cancel_form",
                      lambda pr, reason: requests.cancel(pr, current_user, reason=reason),
                      _("Permintaan dibatalkan."))
