"""Uploads are judged by their content: photos decoded by Pillow within size and pixel limits,
returned upright without metadata; documents accepted only as clean PDFs or re-encoded photos."""

import io
import struct
import warnings
import zlib

import pytest
from PIL import Image, ImageCms, ImageFile
from werkzeug.datastructures import FileStorage

from catalog import storage
from catalog.services import uploads
from catalog.services.errors import ValidationFailed
from catalog.services.images import rendition_key, store_renditions
from catalog.services.uploads import UploadRejected, check_document, load_image, store_document

MIB = 1024 * 1024


# --- building test files ---------------------------------------------------------------------


def photo(fmt="JPEG", size=(64, 48), mode="RGB", color=(200, 30, 30), **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def bilevel_png(width: int, height: int) -> bytes:
    """A valid, all-black 1-bit PNG: a few kilobytes on disk however many pixels it claims, which
    is exactly the shape of a decompression bomb."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    rows_per_chunk = max(1, (1 << 20) // len(row))
    parts, remaining = [], height
    while remaining:
        count = min(rows_per_chunk, remaining)
        parts.append(compressor.compress(row * count))
        remaining -= count
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR (with a correct CRC) claims another size: only the header is honest
    enough for Pillow to open it, which is all a size check before decoding needs."""
    data = bytearray(photo("PNG", size=(8, 8)))
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


def jpeg_with_private_exif(size=(40, 20), orientation=1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "RahasiaCam"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"  # GPSLatitudeRef
    gps[2] = (6.0, 17.0, 42.0)  # GPSLatitude: Pamulang, where the seller lives
    gps[3] = "E"
    gps[4] = (106.0, 44.0, 9.0)
    left_red_right_blue = Image.new("RGB", size, (255, 0, 0))
    left_red_right_blue.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    left_red_right_blue.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


class ZeroStream(io.RawIOBase):
    """An upload stream of `size` zero bytes that never exists in memory; counts what was read."""

    def __init__(self, size: int):
        self.remaining = size
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.remaining)
        buffer[:count] = b"\x00" * count
        self.remaining -= count
        self.bytes_read += count
        return count


def rejection(callable_, *args, **kwargs) -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        callable_(*args, **kwargs)
    return info.value


MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)


def pdf_with(body: bytes) -> bytes:
    return MINIMAL_PDF.replace(b"trailer", body + b"\ntrailer")


def pillow_pdf() -> bytes:
    """A real PDF as a scanner app would write it: one page holding a photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (240, 240, 230)).save(buffer, "PDF", resolution=72)
    return buffer.getvalue()


# --- photos that are accepted ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_photos_are_accepted_as_rgb_images(fmt):
    image = load_image(photo(fmt, size=(64, 48)))
    assert image.mode == "RGB"
    assert image.size == (64, 48)


def test_photo_is_read_from_an_uploaded_file_object():
    upload = FileStorage(stream=io.BytesIO(photo("PNG")), filename="foto.png", content_type="image/png")
    assert load_image(upload).size == (64, 48)


def test_multi_picture_jpeg_from_a_phone_is_accepted_as_its_first_picture():
    buffer = io.BytesIO()
    first = Image.new("RGB", (60, 40), (255, 0, 0))
    first.save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (60, 40), (0, 0, 255))])
    image = load_image(buffer.getvalue())
    assert image.size == (60, 40)
    assert image.getpixel((30, 20))[0] > 200  # the first (red) picture


@pytest.mark.parametrize(
    ("mode", "color", "fmt"),
    [("L", 128, "PNG"), ("P", 3, "PNG"), ("CMYK", (0, 255, 255, 0), "JPEG"), ("I;16", 40000, "PNG"), ("1", 1, "PNG")],
)
def test_photos_in_other_colour_modes_come_back_as_rgb(mode, color, fmt):
    image = load_image(photo(fmt, mode=mode, color=color))
    assert image.mode == "RGB"


def test_transparent_background_becomes_white_not_black():
    image = load_image(photo("PNG", mode="RGBA", color=(0, 0, 0, 0)))
    assert image.getpixel((5, 5)) == (255, 255, 255)


def test_photo_taken_sideways_is_turned_upright_by_its_exif_orientation():
    image = load_image(jpeg_with_private_exif(size=(40, 20), orientation=6))  # "rotate 90° clockwise"
    assert image.size == (20, 40)
    top, bottom = image.getpixel((10, 2)), image.getpixel((10, 37))
    assert top[0] > 200 and top[2] < 60  # the red (left) half is on top once turned clockwise
    assert bottom[2] > 200 and bottom[0] < 60


def test_embedded_colour_profile_is_applied_and_not_kept():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = load_image(photo("JPEG", icc_profile=srgb))
    assert "icc_profile" not in image.info


def test_loaded_photo_carries_no_metadata_at_all():
    image = load_image(jpeg_with_private_exif())
    assert image.info == {}
    assert len(image.getexif()) == 0


def test_gps_position_is_gone_from_every_stored_rendition(app):
    original = jpeg_with_private_exif(size=(1200, 900))
    assert b"RahasiaCam" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    stored = store_renditions(load_image(original))

    for width in (320, 960):
        for ext in ("jpg", "webp"):
            data = storage.path_for(rendition_key(stored.key, width, ext)).read_bytes()
            rendition = Image.open(io.BytesIO(data))
            assert len(rendition.getexif()) == 0
            assert b"Exif" not in data and b"RahasiaCam" not in data
            assert "icc_profile" not in rendition.info


def test_large_jpeg_can_be_decoded_downscaled_when_only_renditions_are_needed():
    image = load_image(photo("JPEG", size=(4000, 3000)), reduce_to=960)
    assert 960 <= min(image.size) and image.width < 4000


# --- photos that are refused -----------------------------------------------------------------


def test_empty_upload_is_refused():
    assert rejection(load_image, b"").code == "empty"


def test_pdf_renamed_to_jpg_is_not_a_photo():
    upload = FileStorage(stream=io.BytesIO(MINIMAL_PDF), filename="foto-produk.jpg", content_type="image/jpeg")
    refused = rejection(load_image, upload)
    assert refused.code == "not_image"
    assert str(refused.message) == "Berkas bukan foto yang valid (JPG, PNG atau WebP)."


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
        b'<rect width="10" height="10"/></svg>',
        b"<!doctype html><html><body><script>alert(1)</script><img src=x onerror=alert(2)></body></html>",
        b"GIF89a not really",
        b"\xff\xd8\xff",  # the first three bytes of a JPEG and nothing else
        b"MZ\x90\x00" + b"\x00" * 200,  # a Windows program
    ],
    ids=["svg-with-script", "html", "fake-gif", "jpeg-signature-only", "exe"],
)
def test_files_that_are_not_photos_are_refused(content):
    assert rejection(load_image, content).code in {"not_image", "damaged"}


def test_gif_is_refused_because_only_jpg_png_and_webp_are_offered():
    assert rejection(load_image, photo("GIF")).code == "not_image"


def test_truncated_jpeg_is_refused_as_damaged():
    noisy = Image.effect_noise((200, 150), 60).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG")
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    refused = rejection(load_image, cut)
    assert refused.code == "damaged"
    assert str(refused.message) == "Foto rusak atau tidak lengkap. Silakan unggah ulang."


def test_truncated_png_is_refused_as_damaged():
    data = photo("PNG", size=(300, 300), mode="RGB", color=(1, 2, 3))
    assert rejection(load_image, data[:-30]).code == "damaged"


def test_fifty_megabyte_stream_is_refused_after_reading_only_the_limit():
    stream = ZeroStream(50 * MIB)
    refused = rejection(load_image, stream)
    assert refused.code == "too_large"
    assert str(refused.message) == "Ukuran foto maksimal 10 MB."
    assert stream.bytes_read <= 10 * MIB + 1


@pytest.mark.parametrize(("limit", "shown"), [(2 * MIB, "2"), (MIB // 2, "0,5")])
def test_size_limit_in_the_message_follows_the_callers_limit(limit, shown):
    refused = rejection(load_image, ZeroStream(3 * MIB), max_bytes=limit)
    assert str(refused.message) == f"Ukuran foto maksimal {shown} MB."


def test_decompression_bomb_claiming_30000_by_30000_is_refused(monkeypatch):
    bomb = bilevel_png(30_000, 30_000)
    assert len(bomb) < 200_000  # tiny on disk: 900 million pixels once decoded
    refused = rejection(load_image, bomb)
    assert refused.code == "too_many_pixels"
    assert str(refused.message).startswith("Foto terlalu besar")


def test_image_over_the_pixel_limit_is_refused_from_its_header_before_any_decoding(monkeypatch):
    def decoding_is_forbidden(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decoding_is_forbidden)
    refused = rejection(load_image, png_claiming(7_000, 7_000))  # 49 MP: below Pillow's own alarm
    assert refused.code == "too_many_pixels"
    assert str(refused.message) == "Foto terlalu besar: maksimal 40 megapiksel."


def test_image_pillow_warns_about_is_refused_when_warnings_are_errors():
    # 100 MP: Pillow emits DecompressionBombWarning, which pytest turns into an exception.
    assert rejection(load_image, png_claiming(10_000, 10_000)).code == "too_many_pixels"


def test_image_pillow_warns_about_is_refused_when_warnings_are_only_printed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # as in production
        assert rejection(load_image, png_claiming(10_000, 10_000)).code == "too_many_pixels"


def test_image_wider_than_twelve_thousand_pixels_is_refused():
    refused = rejection(load_image, png_claiming(13_000, 10))
    assert str(refused.message) == "Foto terlalu besar: maksimal 12.000 × 12.000 piksel."


def test_real_large_bilevel_image_within_limits_is_accepted():
    assert load_image(bilevel_png(3_000, 2_000)).size == (3_000, 2_000)


def test_upload_rejected_is_a_validation_failure_with_a_code():
    refused = rejection(load_image, b"not an image")
    assert isinstance(refused, ValidationFailed)
    assert refused.code == "not_image"


# --- file names never choose where things are written ---------------------------------------


def test_traversal_file_name_has_no_effect_on_stored_photo(app, tmp_path):
    upload_dir = tmp_path / "uploads"
    before = {p for p in tmp_path.rglob("*")}
    upload = FileStorage(stream=io.BytesIO(photo("JPEG")), filename="../../etc/passwd.jpg", content_type="image/jpeg")

    stored = store_renditions(load_image(upload))

    created = {p for p in tmp_path.rglob("*") if p.is_file()} - before
    assert created == {upload_dir / rendition_key(stored.key, w, e) for w in (320, 960) for e in ("jpg", "webp")}
    assert "passwd" not in stored.key and ".." not in stored.key
    assert not (tmp_path.parent / "etc").exists()


def test_traversal_file_name_has_no_effect_on_stored_document(app, tmp_path):
    upload = FileStorage(stream=io.BytesIO(MINIMAL_PDF), filename="../../../etc/passwd.pdf")

    document = store_document(upload)

    assert document.kind == "pdf"
    assert storage.is_valid_key(document.key) and document.key.startswith("d/")
    assert "passwd" not in document.key
    assert storage.path_for(document.key).read_bytes() == MINIMAL_PDF
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [tmp_path / "uploads" / document.key]


def test_stored_documents_are_not_reachable_through_the_public_media_route(app, client):
    document = store_document(MINIMAL_PDF)
    assert client.get(f"/media/{document.key}").status_code == 404


# --- documents -------------------------------------------------------------------------------


def test_minimal_pdf_is_accepted_byte_for_byte():
    assert check_document(MINIMAL_PDF) == (MINIMAL_PDF, "pdf")


def test_pdf_written_by_a_scanner_app_is_accepted():
    data = pillow_pdf()
    assert check_document(io.BytesIO(data)) == (data, "pdf")


def test_photo_of_a_document_is_re_encoded_as_jpeg_without_exif():
    data, kind = check_document(jpeg_with_private_exif(size=(400, 300)))
    assert kind == "jpg"
    reopened = Image.open(io.BytesIO(data))
    assert reopened.format == "JPEG" and reopened.size == (400, 300)
    assert len(reopened.getexif()) == 0 and b"RahasiaCam" not in data


def test_png_document_is_stored_as_jpeg():
    data, kind = check_document(photo("PNG"))
    assert kind == "jpg" and data.startswith(b"\xff\xd8")


def test_html_is_not_a_document():
    refused = rejection(check_document, b"<html><script>alert(1)</script></html>")
    assert refused.code == "not_document"
    assert str(refused.message) == "Berkas harus berupa PDF atau foto (JPG, PNG atau WebP)."


def test_oversized_document_stream_is_refused_with_the_document_message():
    refused = rejection(check_document, ZeroStream(50 * MIB))
    assert str(refused.message) == "Ukuran berkas maksimal 10 MB."


def test_truncated_pdf_without_its_end_marker_is_refused():
    data = pillow_pdf()
    assert rejection(check_document, data[: len(data) // 2]).code == "pdf_damaged"


def test_pdf_signature_in_the_middle_of_another_file_is_not_a_pdf():
    assert rejection(check_document, b"<html>" + MINIMAL_PDF).code == "not_document"


@pytest.mark.parametrize(
    "body",
    [
        b"4 0 obj << /Type /Action /S /JavaScript /JS (app.alert(1)) >> endobj",
        b"4 0 obj << /S /JavaScript /JS 5 0 R >> endobj",
        b"4 0 obj << /JS <6170702e616c657274283129> >> endobj",
        b"4 0 obj << /Type /Action /S /Launch /F (cmd.exe) >> endobj",
        b"4 0 obj << /Type /EmbeddedFile /Length 3 >> stream\nMZ!\nendstream endobj",
        b"4 0 obj << /Names << /EmbeddedFiles 6 0 R >> >> endobj",
        b"4 0 obj << /Names << /J#61vaScript 6 0 R >> >> endobj",
        b"4 0 obj << /J#53 (app.alert(1)) >> endobj",
        b"4 0 obj << /AcroForm << /XFA 7 0 R >> >> endobj",
    ],
    ids=["javascript", "js-reference", "js-hex-string", "launch", "embedded-file", "embedded-files",
         "hex-escaped-name", "hex-escaped-js-key", "xfa"],
)
def test_pdf_that_can_run_or_carry_something_is_refused(body):
    refused = rejection(check_document, pdf_with(body))
    assert refused.code == "pdf_active"
    assert "skrip" in str(refused.message)


def test_javascript_hidden_in_a_compressed_object_stream_is_refused():
    hidden = zlib.compress(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>")
    body = b"4 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >> stream\n" + hidden + b"\nendstream endobj"
    assert rejection(check_document, pdf_with(body)).code == "pdf_active"


def test_compressed_stream_whose_filter_is_hidden_behind_a_reference_is_still_searched():
    hidden = zlib.compress(b"5 0 << /S /Launch /F (cmd.exe) >>")
    body = b"4 0 obj << /N 1 /First 4 /Filter 9 0 R >> stream\n" + hidden + b"\nendstream endobj"
    assert rejection(check_document, pdf_with(body)).code == "pdf_active"


def test_ordinary_compressed_page_content_is_accepted():
    content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Nomor Induk Berusaha 1234567890123) Tj ET")
    body = b"4 0 obj << /Length %d /Filter /FlateDecode >> stream\n" % len(content) + content + b"\nendstream endobj"
    data = pdf_with(body)
    assert check_document(data) == (data, "pdf")


def test_encrypted_pdf_is_refused_with_its_own_message():
    data = MINIMAL_PDF.replace(b"trailer << /Root 1 0 R", b"trailer << /Root 1 0 R /Encrypt 8 0 R")
    refused = rejection(check_document, data)
    assert refused.code == "pdf_encrypted"
    assert "kata sandi" in str(refused.message)


def test_pdf_using_a_filter_that_cannot_be_searched_is_refused():
    body = b"4 0 obj << /Filter /ASCIIHexDecode >> stream\n2F4A53>\nendstream endobj"
    assert rejection(check_document, pdf_with(body)).code == "pdf_opaque"


def test_compressed_bomb_inside_a_pdf_is_refused_within_the_budget(monkeypatch):
    monkeypatch.setattr(uploads, "PDF_INFLATE_BUDGET", 4 * MIB)
    bomb = zlib.compress(b"\x00" * (16 * MIB), 9)  # 16 KB that inflate to 16 MB
    body = b"4 0 obj << /Filter /FlateDecode >> stream\n" + bomb + b"\nendstream endobj"
    assert rejection(check_document, pdf_with(body)).code == "pdf_opaque"


def test_raising_the_pixel_limit_never_goes_past_pillows_own_alarm():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        refused = rejection(load_image, png_claiming(10_000, 10_000), max_pixels=200_000_000, max_side=20_000)
    assert refused.code == "too_many_pixels"
