"""The demo accounts `flask seed-demo` creates: one list shared by the seeder, the README and tests."""

from dataclasses import dataclass

from catalog.models.agencies import DUTY_BENDAHARA, DUTY_PP, DUTY_PPK
from catalog.models.users import ROLE_ADMIN, ROLE_OFFICER, ROLE_SELLER, ROLE_SHOPPER

# Every demo account, and every generated seller account, uses this password.
DEMO_PASSWORD = "Demo-UMKM-2026"  # noqa: S105 (published demo credential, not a secret)

# The agency whose officers are demo accounts (see catalog/demo/agencies.py).
DEMO_AGENCY_CODE = "DISKOMINFO-TGSL"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    what: str  # what the account shows, printed by seed-demo and listed in the README
    duty: str | None = None  # officers only
    employee_number: str | None = None  # officers only (NIP, 18 digits)


ADMIN = DemoAccount("admin@katalogumkm.id", "Admin Dinas Koperasi dan UMKM", ROLE_ADMIN,
                    "Admin Dinas Koperasi dan UMKM")
SELLER = DemoAccount("penjual@katalogumkm.id", "Rina Marlina", ROLE_SELLER,
                     "Penjual terverifikasi: Keripik Singkong Bu Rina, Pamulang")
PENDING_SELLER = DemoAccount("penjual.baru@katalogumkm.id", "Nining Suryani", ROLE_SELLER,
                             "Penjual baru, menunggu verifikasi: Sambal Bawang Teh Nining, Ciputat Timur")
PP = DemoAccount("pp@katalogumkm.id", "Andi Pratama", ROLE_OFFICER,
                 "Pejabat Pengadaan, Diskominfo Kota Tangerang Selatan", DUTY_PP, "198703142010011003")
PPK = DemoAccount("ppk@katalogumkm.id", "Dra. Sri Wahyuni", ROLE_OFFICER,
                  "PPK, Diskominfo Kota Tangerang Selatan", DUTY_PPK, "197505222000032004")
BENDAHARA = DemoAccount("bendahara@katalogumkm.id", "Yusuf Hidayat", ROLE_OFFICER,
                        "Bendahara Pengeluaran, Diskominfo Kota Tangerang Selatan", DUTY_BENDAHARA,
                        "199001082015031002")
SHOPPER = DemoAccount("pembeli@katalogumkm.id", "Putri Anggraini", ROLE_SHOPPER, "Pembeli perorangan")

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (ADMIN, SELLER, PENDING_SELLER, PP, PPK, BENDAHARA, SHOPPER)

# Generated seller accounts get <owner-slug>@SELLER_EMAIL_DOMAIN (a reserved-looking demo domain).
SELLER_EMAIL_DOMAIN = "contoh.id"
