"""/transparansi: open to anyone, aggregates only. No personal data anywhere in the page, and
no sum of money paid to fewer than five sellers (shown as "–" with a footnote), including a
total that would give a held-back agency's figure away by subtraction."""

import re
from datetime import datetime, timezone

from catalog.extensions import db
from catalog.services import transparency
from tests.compliance_factories import build_world
from tests.factories import (
    KEC_PAMULANG,
    KEC_SERPONG,
    gen_address,
    gen_agency,
    gen_officer,
    gen_product,
    gen_seller,
    gen_user,
)
from tests.stats_factories import gen_gov_spend, gen_shop_order

SECRETS = {
    "owner": "Sulastri Wijayakusuma",
    "seller_email": "sulastri.zamrud@contoh.id",
    "seller_user": "Ibu Lastri Zamrud",
    "nib": "9876543210123",
    "whatsapp": "+6281399887766",
    "address": "Jl. Kenari Rahasia No. 77",
    "bank": "1234009876",
    "officer": "Bambang Pejabatunik",
    "officer_email": "bambang.unik@instansi.go.id",
    "officer_phone": "+6281277001122",
    "shopper": "Rina Pembeliunik",
    "shopper_email": "rina.unik@contoh.id",
    "shopper_phone": "+6285711223344",
    "recipient": "Penerima Rahasiaunik",
    "recipient_phone": "+6281911112222",
    "street": "Jl. Melati Tersembunyi 9",
}


def _seed_people():
    seller_user = gen_user(role="seller", email=SECRETS["seller_email"], name=SECRETS["seller_user"])
    seller = gen_seller(user=seller_user, owner_name=SECRETS["owner"], nib=SECRETS["nib"],
                        whatsapp=SECRETS["whatsapp"], address=SECRETS["address"],
                        bank_account_number=SECRETS["bank"], kecamatan=KEC_PAMULANG)
    gen_product(seller=seller)
    gen_officer(name=SECRETS["officer"], email=SECRETS["officer_email"], phone=SECRETS["officer_phone"])
    shopper = gen_user(name=SECRETS["shopper"], email=SECRETS["shopper_email"], phone=SECRETS["shopper_phone"])
    gen_address(shopper, recipient=SECRETS["recipient"], phone=SECRETS["recipient_phone"], detail=SECRETS["street"])
    gen_shop_order(seller, shopper, status="completed", total=250_000, created_at=datetime.now(timezone.utc),
                   recipient=SECRETS["recipient"], phone=SECRETS["recipient_phone"])
    db.session.commit()
    return seller


def _page(client) -> str:
    response = client.get("/transparansi")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anyone_may_open_it_and_the_footer_links_to_it(app, client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/transparansi"' in html
    assert client.get("/transparansi").status_code == 200


def test_no_personal_data_appears_anywhere_in_the_page(app, client):
    seller = _seed_people()
    build_world()  # sellers, officers and government orders as well
    html = _page(client)
    digits = re.sub(r"\D", "", html)
    for what, secret in SECRETS.items():
        assert secret.lower() not in html.lower(), what
        if secret.startswith("+62"):
            assert secret[1:] not in digits and "0" + secret[3:] not in html, what
    assert seller.business_name not in html and seller.slug not in html
    assert "@" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_verified_umkm_per_kecamatan_for_every_kecamatan(app, client):
    gen_seller(kecamatan=KEC_PAMULANG)
    gen_seller(kecamatan=KEC_PAMULANG)
    gen_seller(kecamatan=KEC_PAMULANG, status="pending")
    gen_seller(kecamatan=KEC_SERPONG, status="suspended")
    db.session.commit()
    page = transparency.current()
    by_name = {k.name: k.verified for kota in page.kota for k in kota.kecamatan}
    assert by_name["Pamulang"] == 2 and by_name["Serpong"] == 0 and len(by_name) > 40
    assert [k.name for k in page.kota] == ["Kabupaten Tangerang", "Kota Tangerang", "Kota Tangerang Selatan"]
    assert page.verified_total == 2
    html = _page(client)
    assert "Pamulang" in html and "Jambe" in html and "Kabupaten Tangerang" in html


def test_spend_from_fewer_than_five_sellers_is_shown_as_a_dash_with_a_footnote(app, client):
    world = build_world()  # committed to four sellers, three of them UMK-K
    page = transparency.current()
    (agency,) = page.agencies
    assert agency.name == world.agency.name and agency.pagu == 10_000_000
    assert agency.committed is None and agency.umkk_committed is None and agency.share_of_pagu_pct is None
    assert page.committed is None and page.umkk_committed is None and page.share_of_pagu_pct is None
    html = _page(client)
    assert world.agency.name in html
    assert "3.800.000" not in html and "2.800.000" not in html and "28,0%" not in html
    assert "kurang dari 5 penjual" in html


def test_spend_from_five_sellers_is_shown(app, client):
    sellers = [gen_seller(scale="mikro") for _ in range(5)]
    agency, _pr = gen_gov_spend(sellers, price=100_000, name="Dinas Lima Penjual", pagu=1_000_000)
    page = transparency.current()
    (row,) = page.agencies
    assert row.umkk_committed == 500_000 and row.committed == 500_000 and row.share_of_pagu_pct == 50
    assert page.umkk_committed == 500_000 and page.share_of_pagu_pct == 50
    html = _page(client)
    assert "Rp 500.000" in html and "50,0%" in html
    assert "kurang dari 5 penjual" not in html


def test_a_total_that_would_reveal_a_held_back_agency_is_held_back_too(app, client):
    world = build_world()  # held back: three UMK-K sellers
    sellers = [gen_seller(scale="mikro") for _ in range(5)]
    gen_gov_spend(sellers, price=100_000, name="Dinas Lima Penjual", pagu=1_000_000)
    page = transparency.current()
    shown = {a.name: a for a in page.agencies}
    assert shown["Dinas Lima Penjual"].umkk_committed == 500_000
    assert shown[world.agency.name].umkk_committed is None
    # Eight UMK-K sellers in all, but the total minus Rp500.000 would be the held-back agency's.
    assert page.umkk_committed is None and page.share_of_pagu_pct is None
    html = _page(client)
    assert "3.300.000" not in html and "2.800.000" not in html


def test_an_agency_with_a_budget_and_no_spend_shows_zero(app, client):
    gen_agency(name="Dinas Belum Belanja", pagu=5_000_000)
    db.session.commit()
    (row,) = transparency.current().agencies
    assert (row.committed, row.umkk_committed, row.share_of_pagu_pct) == (0, 0, 0)
