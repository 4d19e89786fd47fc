"""Helpers for the console queue tests (officer onboarding, reports, the console home): letters
to upload, logging a client in, reading messages out of a page."""

import io
import re
from html import unescape

from PIL import Image

from catalog.extensions import db
from catalog.models.moderation import ProductReport

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
VALID_NIP = "198501012010011001"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (230, 230, 220)).save(buffer, "JPEG")
    return buffer.getvalue()


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def gen_report(product, reporter, reason="misleading", message="Foto tidak sesuai barang.", **kw) -> ProductReport:
    report = ProductReport(product_id=product.id, reporter_id=reporter.id, reason=reason, message=message, **kw)
    db.session.add(report)
    db.session.flush()
    return report
