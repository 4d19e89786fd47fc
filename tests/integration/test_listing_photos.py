"""Listing photos through real multipart uploads: checked by content, stored only as renditions,
at most 8, reordered by number fields, deleted; refusals leave nothing behind."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Product, ProductImage
from tests.factories import gen_category, gen_product, gen_seller, gen_user


def text(response) -> str:
    return response.get_data(as_text=True)


def jpeg(size=(800, 600), color=(200, 80, 20), exif=None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def bilevel_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG: small on disk, enormous once decoded (a decompression bomb)."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row * 1000) for _ in range(height // 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


SVG_WITH_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(document.cookie)</script>
<rect width="100" height="100" fill="red"/></svg>"""


@pytest.fixture
def product(app, client, auth):
    user = gen_user(email="warung@contoh.id", role="seller")
    seller = gen_seller(user=user)
    leaf = gen_category("Keripik", parent=gen_category("Makanan"))
    product = gen_product(seller=seller, category=leaf, title="Keripik Singkong Balado")
    db.session.commit()
    auth.login("warung@contoh.id")
    return product


def upload(client, product, *files):
    return client.post(f"/penjual/produk/{product.id}/foto", content_type="multipart/form-data",
                       data={"photos": [(io.BytesIO(data), name) for name, data in files]})


def images_of(product_id):
    db.session.rollback()
    return db.session.scalars(
        select(ProductImage).where(ProductImage.product_id == product_id).order_by(ProductImage.position)
    ).all()


def stored_files(app) -> list[str]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_uploaded_photo_becomes_renditions_served_from_media(app, client, product):
    response = upload(client, product, ("kamera.jpg", jpeg()))
    assert response.status_code == 302
    [image] = images_of(product.id)
    assert (image.width, image.height, image.position) == (800, 600, 0)
    # Only the four renditions are stored, never the original upload.
    assert stored_files(app) == sorted(f"p/{image.key}-{w}.{e}" for w in (320, 960) for e in ("jpg", "webp"))
    page = text(client.get(f"/penjual/produk/{product.id}/foto"))
    assert f"/media/p/{image.key}-320.webp" in page and "Sampul" in page
    media = client.get(f"/media/p/{image.key}-960.jpg")
    assert media.status_code == 200 and "immutable" in media.headers["Cache-Control"]
    media.close()


def test_several_photos_in_one_upload_keep_their_order(client, product):
    upload(client, product, ("a.jpg", jpeg(color=(255, 0, 0))), ("b.jpg", jpeg(color=(0, 255, 0))),
           ("c.png", jpeg(color=(0, 0, 255))))
    assert [i.position for i in images_of(product.id)] == [0, 1, 2]
    assert "3 foto ditambahkan" in text(client.get(f"/penjual/produk/{product.id}/foto"))


def test_exif_location_is_stripped(app, client, product):
    exif = Image.Exif()
    exif[0x010F] = "KameraHP"  # Make
    exif[0x8825] = {2: (6, 12, 0)}  # GPSInfo: latitude
    upload(client, product, ("gps.jpg", jpeg(exif=exif.tobytes())))
    [image] = images_of(product.id)
    rendition = Path(app.config["UPLOAD_DIR"]) / f"p/{image.key}-960.jpg"
    with Image.open(rendition) as stored:
        assert not stored.getexif() and b"KameraHP" not in rendition.read_bytes()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("surat.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "bukan foto yang valid"),
        ("gambar.jpg", SVG_WITH_SCRIPT, "bukan foto yang valid"),
        ("bom.png", bilevel_png(20_000, 20_000), "Foto terlalu besar"),
        ("kosong.jpg", b"", "Berkas kosong"),
    ],
)
def test_bad_files_are_refused_by_content_with_a_message(app, client, product, name, data, message):
    response = upload(client, product, (name, data))
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert name in page
    assert images_of(product.id) == [] and stored_files(app) == []


def test_pressing_upload_without_choosing_a_file_says_so(client, product):
    response = client.post(f"/penjual/produk/{product.id}/foto", content_type="multipart/form-data", data={})
    assert response.status_code == 400 and "Pilih minimal satu foto" in text(response)


def test_one_bad_file_among_good_ones_adds_nothing(app, client, product):
    response = upload(client, product, ("bagus.jpg", jpeg()), ("surat.jpg", b"%PDF-1.4 bukan foto"))
    assert response.status_code == 400 and "surat.jpg" in text(response)
    assert images_of(product.id) == [] and stored_files(app) == []


def test_a_ninth_photo_is_refused_with_a_clear_message(client, product):
    upload(client, product, *[(f"{n}.jpg", jpeg((60, 60))) for n in range(8)])
    assert len(images_of(product.id)) == 8
    page = text(client.get(f"/penjual/produk/{product.id}/foto"))
    assert "batas maksimal" in page and 'type="file"' not in page
    response = upload(client, product, ("9.jpg", jpeg((60, 60))))
    assert response.status_code == 400 and "sudah punya 8 foto" in text(response)
    assert len(images_of(product.id)) == 8


def test_too_many_at_once_says_how_many_more_fit(client, product):
    upload(client, product, *[(f"{n}.jpg", jpeg((60, 60))) for n in range(6)])
    response = upload(client, product, *[(f"x{n}.jpg", jpeg((60, 60))) for n in range(3)])
    assert "hanya dapat menambah 2 foto lagi" in text(response)
    assert len(images_of(product.id)) == 6


def test_photos_are_reordered_by_number_fields_first_is_cover(client, product):
    upload(client, product, *[(f"{n}.jpg", jpeg((60, 60))) for n in range(3)])
    a, b, c = images_of(product.id)
    response = client.post(f"/penjual/produk/{product.id}/foto/urutan",
                           data={f"pos-{a.id}": "3", f"pos-{b.id}": "1", f"pos-{c.id}": "2"})
    assert response.status_code == 302
    assert [i.id for i in images_of(product.id)] == [b.id, c.id, a.id]
    db.session.rollback()
    assert db.session.get(Product, product.id).cover.id == b.id


def test_reorder_ignores_nonsense_numbers(client, product):
    upload(client, product, *[(f"{n}.jpg", jpeg((60, 60))) for n in range(2)])
    a, b = images_of(product.id)
    client.post(f"/penjual/produk/{product.id}/foto/urutan", data={f"pos-{a.id}": "abc", f"pos-{b.id}": "-1"})
    assert [i.id for i in images_of(product.id)] == [a.id, b.id]


def test_delete_a_photo_and_the_next_becomes_cover(client, product):
    upload(client, product, *[(f"{n}.jpg", jpeg((60, 60))) for n in range(2)])
    a, b = images_of(product.id)
    response = client.post(f"/penjual/produk/{product.id}/foto/{a.id}/hapus")
    assert response.status_code == 302
    assert [(i.id, i.position) for i in images_of(product.id)] == [(b.id, 0)]


def test_photo_of_another_product_cannot_be_deleted_through_mine(client, product):
    other = gen_product(seller=product.seller, category=product.category)
    other.images.append(ProductImage(key="lain", width=10, height=10, position=0))
    db.session.commit()
    other_image_id = other.images[0].id
    assert client.post(f"/penjual/produk/{product.id}/foto/{other_image_id}/hapus").status_code == 404
    db.session.rollback()
    assert db.session.get(ProductImage, other_image_id) is not None


def test_another_sellers_photo_routes_answer_404(client, product):
    foreign = gen_product(category=product.category)
    foreign.images.append(ProductImage(key="asing", width=10, height=10, position=0))
    db.session.commit()
    image_id = foreign.images[0].id
    assert client.get(f"/penjual/produk/{foreign.id}/foto").status_code == 404
    assert upload(client, foreign, ("a.jpg", jpeg((60, 60)))).status_code == 404
    assert client.post(f"/penjual/produk/{foreign.id}/foto/{image_id}/hapus").status_code == 404
    assert client.post(f"/penjual/produk/{foreign.id}/foto/urutan", data={f"pos-{image_id}": "1"}).status_code == 404
    assert len(images_of(foreign.id)) == 1


def test_photo_page_works_without_javascript_and_loads_the_drag_script(client, product):
    upload(client, product, ("a.jpg", jpeg((60, 60))))
    page = text(client.get(f"/penjual/produk/{product.id}/foto"))
    assert 'type="number"' in page and "Simpan urutan" in page
    assert '<script src="/static/js/photo-order.js" defer>' in page
    assert "<script>" not in page and "style=" not in page and "onclick" not in page


def test_duplicate_shares_photo_keys(client, product):
    upload(client, product, ("a.jpg", jpeg((60, 60))))
    [image] = images_of(product.id)
    client.post(f"/penjual/produk/{product.id}/salin")
    db.session.rollback()
    keys = db.session.scalars(select(ProductImage.key)).all()
    assert keys == [image.key, image.key]
