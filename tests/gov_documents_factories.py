"""Helpers for the government-order seller pages and the procurement documents: a Surat Pesanan
made through the services, and the text of an fpdf2 PDF (no PDF library needed: streams are
inflated with zlib and the glyph codes decoded through each font's ToUnicode map)."""

import re
import zlib

from catalog.extensions import db
from catalog.models import SellerDocument
from catalog.services.certificates import jakarta_today
from tests.factories import gen_agency_team, gen_ordered_request, gen_product, gen_seller


def gen_gov_order(*, quantity=100, price=50_000, seller=None, team=None, pp55=False, title="Kopi Robusta 250gr",
                  **seller_kw):
    """A Surat Pesanan of one line (issued, waiting for the seller), with the team that made it:
    (po, (agency, pp, ppk, bendahara)). Commits."""
    team = team or gen_agency_team(name="Dinas Kominfo Tangsel", address="Jl. Maruga No. 1")
    seller = seller or gen_seller(business_name=seller_kw.pop("business_name", "Kopi Pamulang"),
                                  npwp=seller_kw.pop("npwp", "0123456789012345"), **seller_kw)
    if pp55:
        db.session.add(SellerDocument(seller=seller, kind="suket_pp55", number="PP55-001",
                                      expires_on=jakarta_today().replace(year=jakarta_today().year + 1)))
    product = gen_product(seller=seller, title=title, price=price, stock=quantity + 10)
    db.session.commit()
    _agency, pp, ppk, _bendahara = team
    pr = gen_ordered_request(pp, ppk, [(product, quantity)])
    return pr.purchase_orders[0], team


# --- reading a PDF's text ---------------------------------------------------------------------------

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    """The PDF literal string opening at data[start] == b"(": its bytes and the index after it."""
    out, depth, i = bytearray(), 1, start + 1
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < len(data):
        c = data[i]
        if c == ord("\\"):
            nxt = data[i + 1]
            if nxt in escapes:
                out += escapes[nxt]
                i += 2
            elif 48 <= nxt <= 55:
                digits = re.match(rb"[0-7]{1,3}", data[i + 1:i + 4]).group()
                out.append(int(digits, 8))
                i += 1 + len(digits)
            else:
                out.append(nxt)
                i += 2
            continue
        if c == ord("("):
            depth += 1
        elif c == ord(")"):
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(c)
        i += 1
    raise ValueError("unterminated string")


def _stream(body: bytes) -> bytes:
    raw = _STREAM.search(body).group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body.split(b"stream", 1)[0] else raw


def pdf_text(data: bytes) -> str:
    """The text shown on the pages of an fpdf2 PDF (compressed or not)."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(data)}
    cmaps = {}
    for body in objects.values():
        font = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if font is None:
            continue
        cmap = _stream(objects[int(font.group(1))])
        cmaps[body] = {int(a, 16): chr(int(b, 16)) for a, b in re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4,})>", cmap)}
    names = {}
    for body in objects.values():
        for name, num in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            target = objects.get(int(num))
            if target in cmaps:
                names[name] = cmaps[target]
    text = []
    for body in objects.values():
        if b"/Type /Page" in body and b"/Contents" in body:
            content = _stream(objects[int(re.search(rb"/Contents (\d+) 0 R", body).group(1))])
            current, i = {}, 0
            while i < len(content):
                font = re.match(rb"/(F\d+) [\d.]+ Tf", content[i:])
                if font:
                    current = names.get(font.group(1), {})
                    i += font.end()
                elif content[i] == ord("("):
                    raw, i = _literal(content, i)
                    text.append("".join(current.get(int.from_bytes(raw[k:k + 2], "big"), "?")
                                        for k in range(0, len(raw) - 1, 2)))
                elif content[i:i + 2] == b"ET":
                    text.append("\n")
                    i += 2
                else:
                    i += 1
    return re.sub(r"[ \t]+", " ", "".join(text))
