"""The agency side (/pengadaan): the procurement cart, purchase requests and the PPK's approvals,
Surat Pesanan with BAST and rating, invoices and the Bendahara's payments, requests for
quotation, printable documents, the Inpres 2/2022 dashboard and the agency's audit trail.
One module per area; every view is for confirmed officers (authz.agency_officer_required)."""

from flask import Blueprint

bp = Blueprint("procurement", __name__, url_prefix="/pengadaan")

from catalog.web.procurement import (  # noqa: E402,F401
    cart,
    dashboard,
    documents,
    onboarding,
    orders,
    requests,
    rfq,
)
