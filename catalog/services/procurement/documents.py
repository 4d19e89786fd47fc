"""The procurement documents people print, sign and file: the Surat Pesanan, the BAST and the
invoice (kuitansi). This module gathers what each document shows (one context for the browser's
print page and for the PDF, rendered from the same template) and turns the rendered HTML into PDF
bytes with fpdf2, in DejaVu Sans so "–", "Rp" and Indonesian text survive.

The HTML handed to render_pdf() is the small subset fpdf2's write_html understands (h1–h3, p, b,
br, table/tr/th/td with width and align attributes); a table cell holds plain text only."""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from fpdf import FPDF, TextStyle

from catalog.models import Invoice, PurchaseOrder, Receipt, Seller, User
from catalog.models.agencies import Agency
from catalog.models.procurement import PO_INVOICED, PO_PAID
from catalog.services.certificates import jakarta_today
from catalog.services.procurement import officers, orders, taxes

KIND_ORDER = "sp"
KIND_RECEIPT = "bast"
KIND_INVOICE = "tagihan"

TEMPLATES = {
    KIND_ORDER: "procurement/print/surat_pesanan.html",
    KIND_RECEIPT: "procurement/print/bast.html",
    KIND_INVOICE: "procurement/print/tagihan.html",
}

FONT_DIR = Path(__file__).resolve().parents[3] / "static" / "fonts"
FONT_FAMILY = "dejavu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf",
              # No italic face is shipped: an <i> renders upright rather than failing.
              "I": "DejaVuSans.ttf", "BI": "DejaVuSans-Bold.ttf"}

# Black headings in the document's font (fpdf2's default headings are dark red, in Times).
_HEADINGS = {
    "h1": TextStyle(font_family=FONT_FAMILY, font_style="B", font_size_pt=15, color="#000000", t_margin=0,
                    b_margin=0.3),
    "h2": TextStyle(font_family=FONT_FAMILY, font_style="B", font_size_pt=11.5, color="#000000", t_margin=2.5,
                    b_margin=0.2),
    "h3": TextStyle(font_family=FONT_FAMILY, font_style="B", font_size_pt=10, color="#000000", t_margin=3,
                    b_margin=0.2),
}


# --- who signs ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Signatory:
    """A name under a signature line, with the capacity it signs in."""

    role: str  # "Pejabat Pembuat Komitmen", "Penyedia"
    name: str
    detail: str = ""  # NIP, or the business name


def officer_signatory(user: User | None, agency: Agency) -> Signatory:
    """An officer signs with the duty and the NIP of their membership (when the agency has it)."""
    if user is None:
        return Signatory(role="", name="")
    member = user.membership
    role = officers.duty_name(member.duty) if member is not None else ""
    nip = member.employee_number if member is not None else None
    return Signatory(role=str(_l("%(duty)s %(agency)s", duty=role, agency=agency.name)), name=user.name,
                     detail=str(_l("NIP %(nip)s", nip=nip)) if nip else "")


def seller_signatory(seller: Seller) -> Signatory:
    """The owner signs for the business (the caption above says "Penyedia")."""
    return Signatory(role=seller.business_name, name=seller.owner_name)


def region_line(*regions) -> str:
    """"Kel. Serua, Kec. Ciputat, Kota Tangerang Selatan" from the regions that are set."""
    return ", ".join(region.name for region in regions if region is not None)


# --- the documents ----------------------------------------------------------------------------------

@dataclass
class PrintDocument:
    """One document ready for its template: the kind, its number, and what the template shows."""

    kind: str
    number: str
    title: str
    context: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return TEMPLATES[self.kind]

    @property
    def filename(self) -> str:
        return pdf_filename(self.kind, self.number)


def order_taxes(po: PurchaseOrder, day: date | None = None) -> taxes.TaxPreview:
    """The figures the invoice was issued with, once there is one; the preview before that."""
    invoice = po.invoice
    if invoice is not None and po.status in (PO_INVOICED, PO_PAID):
        return taxes.TaxPreview(total=invoice.total, dpp=invoice.dpp, ppn=invoice.ppn,
                                pph22_rate_permille=invoice.pph22_rate_permille, pph22=invoice.pph22)
    return orders.tax_preview(po, day)


def _parties(po: PurchaseOrder) -> dict:
    seller, agency = po.seller, po.agency
    return {
        "po": po, "agency": agency, "seller": seller, "request": po.request,
        "agency_region": region_line(agency.kecamatan, agency.kota),
        "seller_region": region_line(seller.kelurahan, seller.kecamatan, seller.kota),
        "seller_signatory": seller_signatory(seller),
    }


def order_document(po: PurchaseOrder, day: date | None = None) -> PrintDocument:
    """The Surat Pesanan: both parties, the lines, the total with its tax preview, and the
    signatures of the officer who signed it (PPK, or the Pejabat Pengadaan up to Rp200 juta)
    and of the seller."""
    context = _parties(po)
    context.update(lines=po.lines, taxes=order_taxes(po, day), signer=officer_signatory(po.signed_by, po.agency),
                   delivery_region=region_line(po.request.delivery_kecamatan))
    return PrintDocument(KIND_ORDER, po.number, str(_l("Surat Pesanan %(number)s", number=po.number)), context)


def receipt_document(receipt: Receipt) -> PrintDocument:
    """The BAST: what this receipt took in (not the whole order), signed by the PPK and the seller."""
    po = receipt.purchase_order
    context = _parties(po)
    lines = sorted(receipt.lines, key=lambda line: line.order_line_id)
    context.update(receipt=receipt, lines=lines, ppk=officer_signatory(receipt.recorded_by, po.agency),
                   value=sum(line.quantity * line.order_line.unit_price for line in lines))
    return PrintDocument(KIND_RECEIPT, receipt.number, str(_l("BAST %(number)s", number=receipt.number)), context)


def invoice_document(invoice: Invoice, today: date | None = None) -> PrintDocument:
    """The invoice (kuitansi): its dates and due date, DPP/PPN/PPh 22/net, the amount in words,
    where to pay (the seller's bank account), the BASTs it rests on, and the payment once made."""
    po = invoice.purchase_order
    context = _parties(po)
    context.update(invoice=invoice, lines=po.lines, receipts=po.receipts, payment=invoice.payment,
                   taxes=order_taxes(po), in_words=terbilang(invoice.total),
                   overdue_days=orders.days_overdue(invoice, today or jakarta_today()))
    return PrintDocument(KIND_INVOICE, invoice.number, str(_l("Tagihan %(number)s", number=invoice.number)), context)


# --- file names and PDF bytes ------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_BETWEEN_TAGS = re.compile(r">\s+<")


def pdf_filename(kind: str, number: str) -> str:
    """"SP/DINAS-1/2026/0001" → "sp-SP-DINAS-1-2026-0001.pdf": no slashes, quotes or spaces
    reach the Content-Disposition header."""
    safe = _UNSAFE.sub("-", number).strip("-.")[:100] or "dokumen"
    return f"{kind}-{safe}.pdf"


class _DocumentPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_FAMILY, size=7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="R")


def render_pdf(html: str, *, title: str, footer: str = "", compress: bool = True) -> bytes:
    """A4 PDF bytes of the document HTML. `compress=False` leaves the content streams readable
    (tests decode the text through the fonts' ToUnicode maps)."""
    pdf = _DocumentPDF(format="A4", unit="mm")
    pdf.set_compression(compress)
    pdf.set_margins(left=18, top=15, right=18)
    pdf.set_auto_page_break(True, margin=18)
    for style, filename in FONT_FILES.items():
        pdf.add_font(FONT_FAMILY, style, str(FONT_DIR / filename))
    pdf.footer_text = footer or title
    pdf.set_title(title)
    pdf.set_lang("id-ID")
    pdf.set_creator("Katalog UMKM Tangerang Raya")
    pdf.set_font(FONT_FAMILY, size=9.5)
    pdf.add_page()
    # Whitespace between two tags (the template's line breaks) would become blank paragraphs.
    html = _BETWEEN_TAGS.sub("><", html.strip())
    pdf.write_html(html, font_family=FONT_FAMILY, tag_styles=_HEADINGS, table_line_separators=True)
    return bytes(pdf.output())


# --- the amount in words (a kuitansi always carries it) ---------------------------------------------

_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
         "sebelas")
_GROUPS = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))


def _below_thousand(n: int) -> str:
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        return f"{_ONES[n // 10]} puluh {_ONES[n % 10]}".strip()
    if n < 200:
        return f"seratus {_below_thousand(n - 100)}".strip()
    return f"{_ONES[n // 100]} ratus {_below_thousand(n % 100)}".strip()


def _words(n: int) -> str:
    for size, name in _GROUPS:
        if n >= size:
            return f"{_words(n // size)} {name} {_words(n % size)}".strip()
    if n >= 2000:
        return f"{_below_thousand(n // 1000)} ribu {_below_thousand(n % 1000)}".strip()
    if n >= 1000:
        return f"seribu {_below_thousand(n - 1000)}".strip()
    return _below_thousand(n)


def terbilang(amount: int) -> str:
    """1_250_000 → "Satu juta dua ratus lima puluh ribu rupiah" (Indonesian on every locale:
    the kuitansi is an Indonesian document)."""
    if amount < 0:
        raise ValueError("a kuitansi has no negative amount")
    text = _words(amount) if amount else "nol"
    return f"{text[0].upper()}{text[1:]} rupiah"
