"""What the shopper journeys share: a small keripik market made with the factories, and the
steps a shopper takes by hand (the search bar, "Tambah ke keranjang", a photographed receipt)."""

import io
import re
from dataclasses import dataclass

from PIL import Image
from playwright.sync_api import expect

from catalog.extensions import db
from catalog.models import DeliveryOption
from tests.factories import KEC_PAMULANG, KEC_SERPONG, gen_address, gen_category, gen_product, gen_seller, gen_user

SHOPPER = "siti@contoh.id"
ADMIN = "dinas@contoh.id"
SARI = "sari@contoh.id"  # Keripik Bu Sari (Pamulang): ships by JNE courier, Rp10.000 to every kota
DAPUR = "dapur@contoh.id"  # Dapur Pamulang: set up no delivery, so shoppers pick up at the shop

BALADO = "Keripik Singkong Balado"
TEMPE = "Keripik Tempe Sagu"
PISANG = "Keripik Pisang Cokelat"  # Camilan Serpong's: the kecamatan filter must leave it out


@dataclass
class Market:
    balado_slug: str
    tempe_slug: str


def keripik_market(live, *, shopper_address: bool = False) -> Market:
    """Three verified sellers with a keripik each (two in Pamulang, one in Serpong), the shopper
    Siti Rahma (with a delivery address in Pamulang when asked) and a Dinas admin. Commits."""
    with live.context():
        snacks = gen_category(name="Makanan Ringan", slug="makanan-ringan")
        sari = gen_seller(user=gen_user(email=SARI, role="seller", name="Sari Wulandari"),
                          business_name="Keripik Bu Sari", kecamatan=KEC_PAMULANG)
        db.session.add(DeliveryOption(seller_id=sari.id, kind="courier", name="JNE Reguler", fee=10_000))
        dapur = gen_seller(user=gen_user(email=DAPUR, role="seller", name="Dewi Lestari"),
                           business_name="Dapur Pamulang", kecamatan=KEC_PAMULANG)
        serpong = gen_seller(business_name="Camilan Serpong", kecamatan=KEC_SERPONG)
        balado = gen_product(seller=sari, category=snacks, title=BALADO, price=15_000, stock=10,
                             slug="keripik-singkong-balado")
        tempe = gen_product(seller=dapur, category=snacks, title=TEMPE, price=12_000, stock=10,
                            slug="keripik-tempe-sagu")
        gen_product(seller=serpong, category=snacks, title=PISANG, price=18_000, stock=10)
        shopper = gen_user(email=SHOPPER, name="Siti Rahma")
        if shopper_address:
            gen_address(shopper, recipient="Siti Rahma")
        gen_user(email=ADMIN, role="admin", name="Petugas Dinas")
        db.session.commit()
        return Market(balado_slug=balado.slug, tempe_slug=tempe.slug)


def search_from_bar(page, words: str) -> None:
    """Type into the search bar every page has and press its button."""
    box = page.locator("#site-search")
    expect(box).to_be_visible()
    box.fill(words)
    page.locator(".search-bar .search-button").click()
    expect(page).to_have_url(re.compile(r"/cari\?q="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hasil pencarian")


def add_to_cart(page, quantity: int = 1) -> None:
    """On a product page: the quantity, then "Tambah ke keranjang"; the page says it worked."""
    form = page.locator("form#cart-add")
    form.get_by_label("Jumlah").fill(str(quantity))
    button = form.get_by_role("button", name="Tambah ke keranjang")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".flash-success")).to_contain_text("Ditambahkan ke keranjang.")


def receipt_photo() -> dict:
    """A small real PNG, as a phone's screenshot of the transfer would be, for set_input_files."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    return {"name": "bukti-transfer.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def snap(shot, page, name: str) -> None:
    """A full-page screenshot taken from the top: the sticky search bar otherwise lands in the
    middle of the picture, over whatever the page had scrolled to."""
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, name)


def value_of(container, term: str):
    """The <dd> beside the <dt> saying `term` in a summary list (totals, payment facts)."""
    return container.locator("dl > div").filter(has=container.page.locator("dt", has_text=term)).locator("dd")
