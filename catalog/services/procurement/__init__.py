"""Government buying, one module per step; every state change goes through services/states.py
(PURCHASE_REQUEST, RFQ, PURCHASE_ORDER), runs in one transaction and is audited with the agency.

- officers.py   who may act: the confirmed officer's membership and duty
- numbering.py  PR/SP/INV numbers per agency and fiscal year
- taxes.py      the PPh 22 / PPN preview of an invoice
- budget.py     the agency's pagu, committed spend and what approval may still use
- cart.py       the officer's procurement cart
- requests.py   purchase requests: from the cart, submit, approve, reject, cancel, Surat Pesanan
- rfq.py        requests for quotation, quotations, counter-offers, award, expiry
- orders.py     a Surat Pesanan after it is issued: seller's answer, deliveries, BAST, invoice,
                payment, rating — and the request following its orders
- agency_lists.py  what officers read as lists: start-page tasks, requests/SP/invoices with tabs,
                audit trail
- seller_orders.py the seller's list of Surat Pesanan
- documents.py  the Surat Pesanan, BAST and invoice as printable HTML and PDF (fpdf2)
"""
