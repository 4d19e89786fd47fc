"""The daily certificate check (`flask sellers check-certificates`): warn sellers 30 days before a
document expires and mark expired ones, so product pages stop showing them.

Each notice goes out once: the warning sets `expiry_notified_at`, the expiry sets `expired`, and
the check only looks at documents where one of them is still to do. Running it twice, or again
after a crash half-way, sends nothing twice.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.formatting import JAKARTA, tanggal
from catalog.models import Seller, SellerDocument
from catalog.models.base import utcnow
from catalog.models.sellers import DOC_BPOM, DOC_HALAL, DOC_NIB, DOC_PIRT, DOC_SNI, DOC_SUKET_PP55
from catalog.services import notifications
from catalog.services.sellers import EXPIRY_WARNING_DAYS

WARN_DAYS = EXPIRY_WARNING_DAYS  # the same window the seller dashboard uses for "expiring soon"
BATCH_SIZE = 500
# seller.documents (GET/POST /penjual/dokumen): where a seller uploads the renewed document.
DOCUMENTS_PATH = "/penjual/dokumen"

# How a notice names the document: "Sertifikat Halal Anda berakhir pada …".
DOCUMENT_NAMES = {
    DOC_NIB: _l("NIB"),
    DOC_HALAL: _l("Sertifikat Halal"),
    DOC_PIRT: _l("Sertifikat P-IRT"),
    DOC_BPOM: _l("Izin edar BPOM MD"),
    DOC_SNI: _l("Sertifikat SNI"),
    DOC_SUKET_PP55: _l("Surat Keterangan PP 55"),
}


@dataclass
class Report:
    warned: int = 0  # documents expiring within WARN_DAYS whose seller was told today
    expired: int = 0  # documents marked expired today (seller told)

    @property
    def total(self) -> int:
        return self.warned + self.expired


def jakarta_today() -> date:
    """The date in Tangerang: a cron job at 00:30 WIB runs on the new day, not on UTC's."""
    return datetime.now(JAKARTA).date()


def check_certificates(today: date) -> Report:
    """Warn and mark, in batches of BATCH_SIZE documents, one commit per batch (emails after
    each commit). Only documents with an expiry date and something still to do are read."""
    report = Report()
    warn_until = today + timedelta(days=WARN_DAYS)
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            select(SellerDocument)
            .where(
                SellerDocument.id > last_id,
                SellerDocument.expires_on.is_not(None),
                SellerDocument.expired.is_(False),
                SellerDocument.expires_on <= warn_until,
                or_(SellerDocument.expires_on < today, SellerDocument.expiry_notified_at.is_(None)),
            )
            .options(joinedload(SellerDocument.seller).joinedload(Seller.user))
            .order_by(SellerDocument.id)
            .limit(BATCH_SIZE)
        ))
        if not batch:
            return report
        now = utcnow()
        for document in batch:
            if document.expires_on < today:
                _mark_expired(document, now)
                report.expired += 1
            else:
                _warn(document, now)
                report.warned += 1
        last_id = batch[-1].id
        # The identity map holds objects weakly: once `batch` is replaced, this batch's rows go.
        db.session.commit()


def _warn(document: SellerDocument, now: datetime) -> None:
    document.expiry_notified_at = now
    notifications.notify(
        document.seller.user, "certificate.expiring",
        _l("%(document)s Anda berakhir pada %(date)s", document=_name(document), date=_date(document.expires_on)),
        _l("%(document)s nomor %(number)s untuk %(seller)s berlaku sampai %(date)s. Perpanjang sebelum "
           "tanggal itu, lalu unggah dokumen barunya agar tetap tampil di halaman produk Anda.",
           document=_name(document), number=document.number, seller=document.seller.business_name,
           date=_date(document.expires_on)),
        link=DOCUMENTS_PATH,
    )


def _mark_expired(document: SellerDocument, now: datetime) -> None:
    document.expired = True
    if document.expiry_notified_at is None:
        document.expiry_notified_at = now  # the warning is moot now; never send it after this
    notifications.notify(
        document.seller.user, "certificate.expired",
        _l("%(document)s Anda sudah berakhir", document=_name(document)),
        _l("%(document)s nomor %(number)s untuk %(seller)s berakhir pada %(date)s dan tidak lagi tampil "
           "di halaman produk Anda. Unggah dokumen yang baru agar pembeli kembali melihatnya.",
           document=_name(document), number=document.number, seller=document.seller.business_name,
           date=_date(document.expires_on)),
        link=DOCUMENTS_PATH,
    )


def _name(document: SellerDocument):
    return DOCUMENT_NAMES.get(document.kind, document.kind)


def _date(day: date) -> LazyString:
    # Formatted when the notice is rendered, in the recipient's language ("20 January 2026").
    return LazyString(tanggal, day)
