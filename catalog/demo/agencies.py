"""The three demo buyers: a Tangsel Dinas, a Kabupaten Tangerang OPD and a Kota Tangerang BUMD."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAgency:
    name: str
    code: str
    type: str
    kota_code: str
    kecamatan_name: str  # looked up in the region table under kota_code
    address: str
    pagu: int  # goods/services ceiling of the current fiscal year, integer Rupiah
    pagu_last_year: int


AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency(
        name="Dinas Komunikasi dan Informatika Kota Tangerang Selatan",
        code="DISKOMINFO-TGSL",
        type="OPD",
        kota_code="36.74",
        kecamatan_name="Ciputat",
        address="Gedung Pusat Pemerintahan Kota Tangerang Selatan, Jl. Maruga Raya No. 1, Serua",
        pagu=12_500_000_000,
        pagu_last_year=11_750_000_000,
    ),
    DemoAgency(
        name="Dinas Pendidikan Kabupaten Tangerang",
        code="DISDIK-KABTGR",
        type="OPD",
        kota_code="36.03",
        kecamatan_name="Tigaraksa",
        address="Kompleks Perkantoran Pemerintah Kabupaten Tangerang, Jl. Atik Suardi, Kadu Agung",
        pagu=86_400_000_000,
        pagu_last_year=79_850_000_000,
    ),
    DemoAgency(
        name="Perumda Air Minum Tirta Benteng Kota Tangerang",
        code="TIRTABENTENG",
        type="BUMD",
        kota_code="36.71",
        kecamatan_name="Tangerang",
        address="Jl. Mohammad Husni Thamrin No. 3, Cikokol",
        pagu=9_750_000_000,
        pagu_last_year=8_900_000_000,
    ),
)

TARGET_SHARE_PCT = 40  # Inpres 2/2022
PAYMENT_TERM_DAYS = 30
