"""Payloads shared by the security tests: open-redirect targets, XSS and SQL strings, hostile
upload files, and small helpers to look at what a response or the upload folder holds."""

import io
import re
import struct
import zlib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

# --- open redirects ------------------------------------------------------------------------------

OFF_SITE_TARGETS = [
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:evil.example",
    "%2F%2Fevil.example",
    "/\tevil.example",
    " //evil.example",
]


def stays_on_site(location: str) -> bool:
    """A Location header a browser resolves to this site: a path, never another scheme or host
    (browsers read a backslash as a slash and drop tabs, newlines and leading spaces)."""
    cleaned = re.sub(r"[\t\r\n]", "", location or "").strip().replace("\\", "/")
    for origin in ("http://localhost", "https://localhost"):
        if cleaned.startswith(origin + "/"):
            cleaned = cleaned[len(origin):]
    parts = urlsplit(cleaned)
    return cleaned.startswith("/") and not cleaned.startswith("//") and not parts.scheme and not parts.netloc


# --- cross-site scripting ----------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
JS_URL = "javascript:alert(1)"
# One string carrying all of them, so a single text field exercises every payload at once.
XSS = f"Kue {SCRIPT}{IMG_ONERROR}{TEMPLATE}"
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>")


class _ActiveMarkup(HTMLParser):
    """Collects what a browser would run: script elements holding the payload, iframes, event
    handler attributes and javascript: links, as the browser's parser sees the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.found.append("iframe")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and re.sub(r"\s", "", value or "").lower().startswith(
                    "javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def unescaped_payloads(html: str) -> list[str]:
    """The XSS markers present raw in `html` (an empty list when all were escaped or stripped)."""
    found = [marker for marker in RAW_MARKERS if marker in html]
    parser = _ActiveMarkup()
    parser.feed(html)
    parser.close()
    return found + parser.found


def template_evaluated(html: str) -> bool:
    """True when "{{7*7}}" was run by a template engine: a 49 where the payload should be."""
    return re.search(r"(?:Kue |alert\(1\)>)49", unescape(html)) is not None


# --- SQL metacharacters ------------------------------------------------------------------------

SQL_PAYLOADS = ["' OR 1=1 --", '"; DROP TABLE product; --', "%", "_", "\\", "zq\x00xj", "' OR ''='", "%' OR '1'='1"]


# --- hostile uploads ---------------------------------------------------------------------------


def jpeg_bytes(size=(120, 80), color=(200, 80, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims width × height (a decompression bomb)."""
    row = b"\x00" * (1 + (width + 7) // 8)
    body = zlib.compress(row * 64, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script><?php system($_GET['c']); ?></body></html>"
# JPEG magic bytes (SOI + an APP0 marker) followed by HTML and PHP: sniffers call it a JPEG.
POLYGLOT_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + HTML_PAYLOAD
SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   b"<script>alert(document.cookie)</script><rect width=\"10\" height=\"10\"/></svg>")
BOMB = png_claiming(30_000, 30_000)
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
               b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

# (file name, bytes): files every photo or document upload must refuse.
HOSTILE_FILES = {
    "polyglot": ("foto.jpg", POLYGLOT_JPEG),
    "html_named_jpg": ("foto.jpg", HTML_PAYLOAD),
    "svg_script": ("gambar.svg", SVG_WITH_SCRIPT),
    "svg_named_png": ("gambar.png", SVG_WITH_SCRIPT),
    "bomb": ("besar.png", BOMB),
    "empty": ("kosong.jpg", b""),
}
# Names chosen to escape the upload folder; the content is a good photo.
TRAVERSAL_NAMES = ["../../etc/passwd.png", "..\\..\\x.jpg", "foto\x00.php.jpg", "/etc/cron.d/x.jpg"]
# The Indonesian refusals the upload checks give (any one of them is a clear answer).
REFUSALS = ("bukan foto yang valid", "Foto rusak", "Foto terlalu besar", "Berkas kosong", "Berkas harus berupa PDF",
            "Ukuran foto maksimal", "Ukuran berkas maksimal", "PDF rusak", "Unggah", "Pilih", "pilih")


def files_under(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def page_text(response) -> str:
    """The visible text of a response, scripts and styles dropped, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
