"""The region reference table as drop-down data, the combination check, and /api/wilayah."""

import pytest

from catalog.services import regions
from catalog.services.errors import ValidationFailed
from tests.factories import KAB_TANGERANG, KEC_PAMULANG, KEC_SERPONG, KOTA_TANGERANG, KOTA_TANGSEL
from tests.querycount import count_queries

KEL_BENDA_BARU = "36.74.06.1002"
KEC_BALARAJA = "36.03.01"


def test_kota_choices_are_the_three_of_tangerang_raya(app):
    assert dict(regions.kota_choices()) == {
        KAB_TANGERANG: "Kabupaten Tangerang",
        KOTA_TANGERANG: "Kota Tangerang",
        KOTA_TANGSEL: "Kota Tangerang Selatan",
    }


def test_children_of_a_kota_are_its_kecamatan_by_name(app):
    names = [r.name for r in regions.children(KOTA_TANGSEL)]
    assert len(names) == 7 and names == sorted(names)
    assert "Pamulang" in names and "Balaraja" not in names
    assert len(regions.children(KOTA_TANGERANG)) == 13 and len(regions.children(KAB_TANGERANG)) == 29


def test_children_of_a_kecamatan_are_its_kelurahan(app):
    children = regions.children(KEC_PAMULANG)
    assert KEL_BENDA_BARU in [r.code for r in children]
    assert all(r.parent_code == KEC_PAMULANG for r in children)


def test_kelurahan_and_unknown_codes_have_no_children(app):
    assert regions.children(KEL_BENDA_BARU) == []
    assert regions.children("99.99") == []
    assert regions.children("") == []


def test_the_table_is_read_once_per_process(app):
    regions.children(KOTA_TANGSEL)  # loads (if no earlier test did)
    with count_queries(app) as queries:
        regions.children(KEC_SERPONG)
        regions.kota_choices()
        regions.validate_region(KOTA_TANGSEL, KEC_PAMULANG, KEL_BENDA_BARU)
    assert queries.count == 0


def test_valid_combinations_pass(app):
    regions.validate_region(KOTA_TANGSEL, KEC_PAMULANG, KEL_BENDA_BARU)
    regions.validate_region(KOTA_TANGSEL, KEC_PAMULANG, None)
    regions.validate_region(KAB_TANGERANG, KEC_BALARAJA, "")


@pytest.mark.parametrize(
    ("kota", "kecamatan", "kelurahan", "field"),
    [
        (None, KEC_PAMULANG, None, "kota"),
        ("99.99", KEC_PAMULANG, None, "kota"),
        (KEC_PAMULANG, KEC_PAMULANG, None, "kota"),  # a kecamatan code posted as kota
        (KOTA_TANGSEL, None, None, "kecamatan"),
        (KOTA_TANGSEL, KEC_BALARAJA, None, "kecamatan"),  # forged: Balaraja is in Kabupaten Tangerang
        (KOTA_TANGSEL, KEL_BENDA_BARU, None, "kecamatan"),  # a kelurahan posted as kecamatan
        (KOTA_TANGSEL, KEC_SERPONG, KEL_BENDA_BARU, "kelurahan"),  # Benda Baru is in Pamulang
        (KOTA_TANGSEL, KEC_PAMULANG, "36.74.06.9999", "kelurahan"),
    ],
)
def test_forged_or_unknown_combinations_are_refused_naming_the_field(app, kota, kecamatan, kelurahan, field):
    with pytest.raises(ValidationFailed) as refused:
        regions.validate_region(kota, kecamatan, kelurahan)
    assert refused.value.field == field


def test_forged_kecamatan_message_names_the_chosen_kota(app):
    with pytest.raises(ValidationFailed) as refused:
        regions.validate_region(KOTA_TANGSEL, KEC_BALARAJA, None)
    assert "Kota Tangerang Selatan" in str(refused.value.message)


# --- /api/wilayah ------------------------------------------------------------------------------


def test_api_lists_the_kecamatan_of_a_kota(client):
    response = client.get(f"/api/wilayah?induk={KOTA_TANGSEL}")

    assert response.status_code == 200
    assert {"code": KEC_PAMULANG, "name": "Pamulang"} in response.json
    assert len(response.json) == 7
    assert "max-age" in response.headers["Cache-Control"]


def test_api_lists_the_kelurahan_of_a_kecamatan(client):
    response = client.get(f"/api/wilayah?induk={KEC_PAMULANG}")

    assert {"code": KEL_BENDA_BARU, "name": "Benda Baru"} in response.json


@pytest.mark.parametrize("query", ["?induk=99.99", "?induk=", "", f"?induk={KEL_BENDA_BARU}",
                                   "?induk=%27%20OR%201=1--"])
def test_api_answers_400_json_for_an_unknown_code(client, query):
    response = client.get("/api/wilayah" + query)

    assert response.status_code == 400
    assert response.json == {"error": "Kode wilayah tidak dikenal."}
