"""Checking uploaded photos and documents by what they contain, never by their name or mimetype.

Every upload is read with a hard byte limit, identified by its content (Pillow for pictures, the
PDF header and trailer for documents) and handed back in a form that is safe to keep: a decoded
RGB image without metadata (services/images.py re-encodes it into renditions) or document bytes
that passed the PDF checks. Storage keys always come from `storage.new_token()`: the client's file
name is never used, so names like "../../etc/passwd.jpg" cannot choose where anything is written.
"""

import io
import re
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from catalog import storage
from catalog.formatting import angka
from catalog.services.errors import ValidationFailed

# What an upload may be handed in as: the bytes, or a werkzeug FileStorage or any file object.
Upload = bytes | bytearray | memoryview | BinaryIO

MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MIB
MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000

# The Pillow decoders allowed to look at an upload, and the formats they may report: the JPEG
# decoder reports "MPO" for the multi-picture JPEGs many phones write (a JPEG with a depth map or
# preview appended); only the first picture is used. GIF is refused on purpose: phones do not
# take photos in 256 colours, and the message can then name exactly what is accepted.
DECODERS = ("JPEG", "PNG", "WEBP")
IMAGE_FORMATS = ("JPEG", "MPO", "PNG", "WEBP")
# For the `accept` attribute of file inputs: a hint to the phone's picker, never a check.
ACCEPT_IMAGES = "image/jpeg,image/png,image/webp"
ACCEPT_DOCUMENTS = "application/pdf," + ACCEPT_IMAGES

DOCUMENT_JPEG_QUALITY = 85
_READ_CHUNK = 256 * 1024

# Messages (Indonesian source text; formatted lazily so they follow the user's language).
MSG_EMPTY = _l("Berkas kosong. Silakan pilih berkasnya lagi.")
MSG_NOT_IMAGE = _l("Berkas bukan foto yang valid (JPG, PNG atau WebP).")
MSG_DAMAGED_IMAGE = _l("Foto rusak atau tidak lengkap. Silakan unggah ulang.")
MSG_NOT_DOCUMENT = _l("Berkas harus berupa PDF atau foto (JPG, PNG atau WebP).")
MSG_PDF_DAMAGED = _l("PDF rusak atau tidak lengkap. Silakan simpan ulang lalu unggah lagi.")
MSG_PDF_ACTIVE = _l(
    "PDF berisi skrip, lampiran atau tindakan otomatis yang tidak diizinkan. "
    "Silakan simpan ulang dengan “Cetak ke PDF” atau unggah foto dokumennya."
)
MSG_PDF_ENCRYPTED = _l("PDF yang dikunci kata sandi tidak dapat diterima. Silakan unggah PDF tanpa kata sandi.")
MSG_PDF_OPAQUE = _l(
    "Isi PDF ini tidak dapat diperiksa. Silakan simpan ulang dengan “Cetak ke PDF” atau unggah foto dokumennya."
)


class UploadRejected(ValidationFailed):
    """An upload failed a content check. `code` tells callers and tests which check, the message
    tells the user what to do."""

    def __init__(self, message, *, code: str, field: str | None = None):
        super().__init__(message, field=field)
        self.code = code


@dataclass(frozen=True)
class StoredDocument:
    key: str
    kind: str  # "pdf" or "jpg": what the content is, decided by us
    size: int


# --- reading ---------------------------------------------------------------------------------


def read_limited(source: Upload, max_bytes: int) -> bytes:
    """The upload's bytes, at most max_bytes + 1 of them: a huge or endless stream costs no more
    memory than the limit, and one byte over is enough to tell the caller it was too big.

    Accepts bytes or anything with read() (a werkzeug FileStorage, a file, a socket stream).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source[: max_bytes + 1])
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = source.read(min(_READ_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_checked(source: Upload, max_bytes: int, too_big_message) -> bytes:
    data = read_limited(source, max_bytes)
    if not data:
        raise UploadRejected(MSG_EMPTY, code="empty")
    if len(data) > max_bytes:
        raise UploadRejected(too_big_message, code="too_large")
    return data


def _megabytes(size: int) -> str:
    """10 MiB → "10", 1.5 MiB → "1,5": the limit as a seller reads it."""
    value = round(size / MIB, 1)
    return angka(int(value)) if value == int(value) else f"{value}".replace(".", ",")


# --- photos ----------------------------------------------------------------------------------


def load_image(
    source: Upload,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_side: int = MAX_SIDE,
    reduce_to: int | None = None,
) -> Image.Image:
    """Decode an uploaded photo and return it upright, in sRGB RGB, with no metadata at all.

    The format is decided by Pillow from the bytes (JPEG, PNG or WebP); the file name and the
    browser's mimetype are ignored because both are chosen by the client. Dimensions are checked
    from the header before any pixel is decoded, so a small file that claims to be 30000×30000
    (a decompression bomb) is refused without allocating its pixels.

    `reduce_to` (optional) lets a caller that only needs renditions up to N pixels ask the JPEG
    decoder for a cheaper, downscaled decode (at least N pixels on each side).
    """
    data = _read_checked(source, max_bytes, _l("Ukuran foto maksimal %(mb)s MB.", mb=_megabytes(max_bytes)))
    # Pillow warns above Image.MAX_IMAGE_PIXELS and refuses at twice that; keeping our own limit at
    # or below its threshold means any image Pillow would warn about is one we refuse anyway.
    max_pixels = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    _probe(data, max_pixels=max_pixels, max_side=max_side)
    with _decode(data, max_pixels=max_pixels, reduce_to=reduce_to) as image:
        return _clean_copy(_upright(image))


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Image.open limited to the accepted formats, with Pillow's failures turned into messages."""
    try:
        return Image.open(io.BytesIO(data), formats=DECODERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The Warning arrives as an exception only when warnings are errors (as under pytest);
        # otherwise Pillow just warns and _check_dimensions refuses the image right after.
        raise UploadRejected(_too_many_pixels(max_pixels), code="too_many_pixels") from exc
    except UnidentifiedImageError as exc:
        raise UploadRejected(MSG_NOT_IMAGE, code="not_image") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        # The signature matched an image format but the header itself is broken or cut off.
        raise UploadRejected(MSG_DAMAGED_IMAGE, code="damaged") from exc


def _probe(data: bytes, *, max_pixels: int, max_side: int) -> None:
    """Check format and size from the header, then let Pillow verify the file's structure."""
    with _open(data, max_pixels) as probe:
        if probe.format not in IMAGE_FORMATS:
            raise UploadRejected(MSG_NOT_IMAGE, code="not_image")
        _check_dimensions(probe.size, max_pixels=max_pixels, max_side=max_side)
        try:
            probe.verify()
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            raise UploadRejected(MSG_DAMAGED_IMAGE, code="damaged") from exc


def _check_dimensions(size: tuple[int, int], *, max_pixels: int, max_side: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise UploadRejected(MSG_DAMAGED_IMAGE, code="damaged")
    if width > max_side or height > max_side:
        side = angka(max_side)
        raise UploadRejected(
            _l("Foto terlalu besar: maksimal %(side)s × %(side)s piksel.", side=side), code="too_many_pixels"
        )
    if width * height > max_pixels:
        raise UploadRejected(_too_many_pixels(max_pixels), code="too_many_pixels")


def _too_many_pixels(max_pixels: int):
    return _l("Foto terlalu besar: maksimal %(mp)s megapiksel.", mp=angka(max_pixels // 1_000_000))


def _decode(data: bytes, *, max_pixels: int, reduce_to: int | None) -> Image.Image:
    """Decode the pixels of the first frame. verify() leaves an image unusable, hence a reopen."""
    image = _open(data, max_pixels)
    try:
        if reduce_to and image.format in ("JPEG", "MPO"):
            image.draft("RGB", (reduce_to, reduce_to))
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise UploadRejected(MSG_DAMAGED_IMAGE, code="damaged") from exc
    return image


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation (phones store portraits sideways plus a rotate flag).

    A broken EXIF block is not a reason to refuse a photo: it is dropped with the rest.
    """
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError, struct.error):
        return image


def _clean_copy(image: Image.Image) -> Image.Image:
    """An RGB copy in sRGB with a white background under transparency and an empty info dict,
    so no EXIF (GPS position, camera serial), XMP, ICC or text chunk can travel further."""
    if image.mode == "P" or image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        rgb = background.convert("RGB")
    else:
        rgb = _to_srgb(image)
    rgb.info = {}
    return rgb


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert with the embedded colour profile when there is one: iPhone photos are Display P3 and
    CMYK scans need their profile, and the profile itself is not kept. Falls back to a plain
    conversion when the profile cannot be read."""
    icc = image.info.get("icc_profile")
    if icc:
        try:
            embedded = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, embedded, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return image.convert("RGB")


def image_to_jpeg(image: Image.Image, *, quality: int = DOCUMENT_JPEG_QUALITY) -> bytes:
    """Encode an image loaded by load_image as a baseline JPEG (no EXIF is passed to save)."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


# --- documents -------------------------------------------------------------------------------


def check_document(source: Upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[bytes, str]:
    """Return (safe bytes, "pdf" | "jpg") for a NIB, certificate or payment proof.

    A PDF is kept byte for byte (there is no safe way to rewrite one here) once it passed
    check_pdf; a photo is decoded by load_image and re-encoded as a fresh JPEG, which drops
    anything hidden in the original file.
    """
    data = _read_checked(source, max_bytes, _l("Ukuran berkas maksimal %(mb)s MB.", mb=_megabytes(max_bytes)))
    if data.startswith(b"%PDF-"):
        check_pdf(data)
        return data, "pdf"
    try:
        image = load_image(data, max_bytes=max_bytes)
    except UploadRejected as exc:
        if exc.code == "not_image":
            raise UploadRejected(MSG_NOT_DOCUMENT, code="not_document") from exc
        raise
    return image_to_jpeg(image), "jpg"


def store_document(source: Upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> StoredDocument:
    """Check a document and write it under a fresh random key in the private "d/" prefix (the
    media route serves only public prefixes, so documents never become public by accident)."""
    data, kind = check_document(source, max_bytes=max_bytes)
    key = f"d/{storage.new_token()}.{kind}"
    storage.save_bytes(key, data)
    return StoredDocument(key=key, kind=kind, size=len(data))


# --- PDF checks ------------------------------------------------------------------------------

# Names that make a PDF do something when opened: run JavaScript, start a program, carry other
# files, play embedded Flash/media, or hold an XFA form (which can script). A NIB or certificate
# never needs them.
PDF_ACTIVE_NAMES = frozenset({b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"})
# Filters we cannot look through; content hidden behind them could not be checked.
PDF_OPAQUE_NAMES = frozenset(
    {b"ASCIIHexDecode", b"AHx", b"ASCII85Decode", b"A85", b"LZWDecode", b"LZW", b"RunLengthDecode", b"RL", b"Crypt"}
)
PDF_EOF_WINDOW = 1024
PDF_INFLATE_BUDGET = 128 * MIB  # total decompressed bytes looked at per PDF
_PDF_NAME = re.compile(rb"/((?:[^\x00\t\n\x0c\r ()<>\[\]{}/%#]|#[0-9A-Fa-f]{2})+)")
# "/JS" alone is too short to look for in binary data; as an action key it is followed by its
# value: a string, a hex string or an indirect reference.
_PDF_JS_KEY = re.compile(rb"/J(?:S|#53|#73)\s*(?:\(|<|\d+\s+\d+\s+R)")
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_SCAN_OVERLAP = 64


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that is cut off, encrypted, or able to run or carry anything.

    The file and every zlib-compressed stream in it are searched (object streams can hide
    dictionaries, and PDF names may be written with #xx escapes such as /J#61vaScript), within a
    decompression budget so a compressed bomb costs bounded time and memory.
    """
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
        raise UploadRejected(MSG_PDF_DAMAGED, code="pdf_damaged")
    _check_pdf_names(data)
    budget = PDF_INFLATE_BUDGET
    for match in _PDF_STREAM.finditer(data):
        budget = _check_pdf_stream(data, match.end(), budget)


def _check_pdf_names(chunk: bytes) -> None:
    names = {_unescape_pdf_name(raw) for raw in _PDF_NAME.findall(chunk)}
    if b"Encrypt" in names:
        raise UploadRejected(MSG_PDF_ENCRYPTED, code="pdf_encrypted")
    if names & PDF_ACTIVE_NAMES or _PDF_JS_KEY.search(chunk):
        raise UploadRejected(MSG_PDF_ACTIVE, code="pdf_active")
    if names & PDF_OPAQUE_NAMES:
        raise UploadRejected(MSG_PDF_OPAQUE, code="pdf_opaque")


def _unescape_pdf_name(raw: bytes) -> bytes:
    if b"#" not in raw:
        return raw
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def _looks_like_zlib(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def _check_pdf_stream(data: bytes, start: int, budget: int) -> int:
    """Inflate one stream (whatever filter its dictionary claims, since the claim can be hidden
    behind a reference) and search it in overlapping chunks. Returns the budget left.

    Both inflated output and consumed input count against the budget, so neither a highly
    compressed bomb nor a long run of empty deflate blocks costs more than the budget.
    """
    if not _looks_like_zlib(data[start : start + 2]):
        return budget
    tail, inflated, consumed = b"", 0, 0
    for out, consumed in _inflated_chunks(data, start):
        inflated += len(out)
        if inflated + consumed > budget:
            raise UploadRejected(MSG_PDF_OPAQUE, code="pdf_opaque")
        _check_pdf_names(tail + out)
        tail = out[-_SCAN_OVERLAP:]
    return budget - inflated - consumed


def _inflated_chunks(data: bytes, start: int):
    """Yield (output slice, input bytes consumed so far) for the zlib stream at `start`, feeding
    the input in slices so no copy of the rest of the file is made per stream. Stops at the end
    of the zlib stream or at the first corrupt byte (what came before has been yielded)."""
    inflater = zlib.decompressobj()
    view = memoryview(data)
    position = start
    while position < len(data) and not inflater.eof:
        pending = view[position : position + _READ_CHUNK]
        position += len(pending)
        while pending and not inflater.eof:
            try:
                out = inflater.decompress(pending, _READ_CHUNK)
            except zlib.error:
                return
            pending = inflater.unconsumed_tail
            yield out, position - start - len(pending) - len(inflater.unused_data)
