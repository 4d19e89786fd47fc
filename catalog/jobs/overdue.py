"""The daily overdue-invoice reminder: the Dinas already sees every unpaid government invoice
past its due date (/admin/tagihan-terlambat); this job tells the agency's Bendahara, once per
invoice, that it is overdue. The notification itself is the mark: an invoice whose Bendahara
already has an overdue notice for it is skipped, so running the job twice sends nothing twice."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.extensions import db
from catalog.formatting import rupiah
from catalog.models import Notification
from catalog.models.agencies import DUTY_BENDAHARA
from catalog.services import notifications
from catalog.services.procurement import officers
from catalog.services.procurement import orders as gov_orders

KIND = "gov_invoice_overdue"
MOST = 5000  # invoices a run looks at; overdue government invoices number in the hundreds


def invoice_link(invoice_id: int) -> str:
    return f"/pengadaan/tagihan/{invoice_id}"  # procurement.invoice_detail


def notify_overdue(today: date) -> int:
    """Tell each confirmed Bendahara of the agency about each overdue invoice not yet announced
    to them; returns the number of notices. Commits."""
    invoices = gov_orders.overdue_invoices(today=today, limit=MOST)
    if not invoices:
        return 0
    links = [invoice_link(invoice.id) for invoice in invoices]
    told = {(user_id, link) for user_id, link in db.session.execute(
        select(Notification.user_id, Notification.link).where(Notification.kind == KIND, Notification.link.in_(links)))}
    bendahara: dict[int, list] = {}
    sent = 0
    for invoice in invoices:
        if invoice.agency_id not in bendahara:
            bendahara[invoice.agency_id] = officers.confirmed_members(invoice.agency_id, DUTY_BENDAHARA)
        link = invoice_link(invoice.id)
        for person in bendahara[invoice.agency_id]:
            if (person.id, link) in told:
                continue
            notifications.notify(
                person, KIND, _l("Tagihan %(number)s lewat jatuh tempo", number=invoice.number),
                _l("%(seller)s menunggu pembayaran %(total)s; jatuh tempo %(due)s, terlambat %(days)s hari.",
                   seller=invoice.seller.business_name, total=rupiah(invoice.total), due=invoice.due_on.isoformat(),
                   days=gov_orders.days_overdue(invoice, today)),
                link=link)
            sent += 1
    db.session.commit()
    return sent
