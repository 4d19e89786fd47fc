"""The Dinas console's demo queues: officers waiting for confirmation with their letters of
assignment (one already rejected) and open reports about two listings. Made through the same
services as the pages, so letters are stored and checked like real uploads and every step is in
the audit trail. Runs once, on a fresh database, after the rest of the demo."""

import io
from dataclasses import dataclass

from fpdf import FPDF
from PIL import Image, ImageDraw
from sqlalchemy import select

from catalog.demo import accounts
from catalog.demo.orders import _without_email
from catalog.extensions import db
from catalog.models import Agency, Product, Seller, User
from catalog.models.agencies import DUTY_BENDAHARA, DUTY_PP, DUTY_PPK
from catalog.models.users import ROLE_SHOPPER
from catalog.services import officer_onboarding, reports
from catalog.services.catalogue import visible_product_clause


@dataclass(frozen=True)
class DemoApplicant:
    email: str
    name: str
    agency_code: str
    duty: str
    nip: str
    letter: str  # "pdf" or "jpg"
    rejected_because: str | None = None


APPLICANTS = (
    DemoApplicant("calon.pp@katalogumkm.id", "Dewi Kartika", "DISDIK-KABTGR", DUTY_PP, "198811232014022001", "pdf"),
    DemoApplicant("calon.ppk@katalogumkm.id", "Hendra Gunawan", "TIRTABENTENG", DUTY_PPK, "198002152006041003",
                  "jpg"),
    DemoApplicant("calon.bendahara@katalogumkm.id", "Rudi Hartanto", "DISDIK-KABTGR", DUTY_BENDAHARA,
                  "199205172019031004", "pdf",
                  rejected_because="Surat tugas yang diunggah untuk instansi lain. Unggah SK dari Dinas Pendidikan."),
)
EXTRA_REPORTER = accounts.DemoAccount("pelapor@katalogumkm.id", "Fajar Nugroho", ROLE_SHOPPER, "Pembeli perorangan")

# (which demo listing, reporter email, reason, message)
REPORTS = (
    (0, accounts.SHOPPER.email, "misleading", "Foto di halaman produk berbeda dengan barang yang saya terima."),
    (0, EXTRA_REPORTER.email, "counterfeit", "Kemasan meniru merek terkenal."),
    (1, accounts.SHOPPER.email, "wrong_category", ""),
)


def letter_pdf(applicant: DemoApplicant, agency: Agency) -> bytes:
    """A one-page "surat tugas", like the PDF an office prints from its letter template."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 10, agency.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 10, "SURAT TUGAS", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.ln(6)
    pdf.multi_cell(0, 7, f"Yang bertanda tangan di bawah ini menugaskan:\n\nNama: {applicant.name}\n"
                         f"NIP: {applicant.nip}\nJabatan: {officer_onboarding.DUTY_LABELS[applicant.duty]}\n\n"
                         "untuk melaksanakan pengadaan barang/jasa melalui Katalog UMKM Tangerang Raya "
                         "tahun anggaran berjalan.\n\n(dokumen demo)")
    return bytes(pdf.output())


def letter_photo(applicant: DemoApplicant, agency: Agency) -> bytes:
    """A phone photo of a printed letter: a light page with dark lines of "text"."""
    image = Image.new("RGB", (900, 1200), (246, 244, 238))
    draw = ImageDraw.Draw(image)
    draw.text((80, 80), agency.name.upper(), fill=(20, 20, 20))
    draw.text((80, 130), "SURAT TUGAS", fill=(20, 20, 20))
    draw.text((80, 200), f"Nama: {applicant.name}   NIP: {applicant.nip}", fill=(20, 20, 20))
    for row in range(14):
        draw.rectangle((80, 280 + row * 50, 820 - (row % 3) * 90, 292 + row * 50), fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _user(email: str, name: str) -> User:
    user = User(email=email, name=name, role=ROLE_SHOPPER, locale="id", active=True)
    user.set_password(accounts.DEMO_PASSWORD)
    db.session.add(user)
    return user


def seed_console_queues() -> dict[str, int]:
    """Three officer applications (two pending, one rejected) and three open reports on two
    listings. Call at the end of seed-demo; returns what was made, for its log line."""
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    admin = db.session.scalar(select(User).where(User.email == accounts.ADMIN.email))
    made = {"pending": 0, "rejected": 0, "reports": 0}
    with _without_email():
        for applicant in APPLICANTS:
            agency = agencies.get(applicant.agency_code)
            if agency is None:
                continue
            user = _user(applicant.email, applicant.name)
            db.session.commit()
            letter = (letter_pdf if applicant.letter == "pdf" else letter_photo)(applicant, agency)
            membership = officer_onboarding.apply(user, agency.id, applicant.duty, applicant.nip, letter)
            if applicant.rejected_because and admin is not None:
                officer_onboarding.reject(membership.id, admin.id, applicant.rejected_because)
                made["rejected"] += 1
            else:
                made["pending"] += 1

        _user(EXTRA_REPORTER.email, EXTRA_REPORTER.name)
        db.session.commit()
        reporters = {u.email: u for u in db.session.scalars(
            select(User).where(User.email.in_([accounts.SHOPPER.email, EXTRA_REPORTER.email])))}
        # Two listings of generated sellers (not the demo seller's own shop, which the demo tours).
        products = list(db.session.scalars(
            select(Product).join(Product.seller).join(Seller.user)
            .where(visible_product_clause(), User.email != accounts.SELLER.email)
            .order_by(Product.id).limit(2)
        ))
        for index, email, reason, message in REPORTS:
            if index < len(products) and email in reporters:
                reports.report_product(reporters[email], products[index].id, reason, message)
                made["reports"] += 1
    return made
