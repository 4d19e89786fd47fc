"""The public transparency page's figures (/transparansi): verified UMKM per kecamatan of
Tangerang Raya, products listed, and this year's government spend with UMK-K per agency against
the 40 % target — aggregates only, from platform_stats.

Two promises: no personal data (no names of people or businesses, e-mail, phone, NIB, address:
nothing here reads those columns), and no seller's revenue guessable from a figure. Any figure
that adds up money paid to sellers is shown only when at least MIN_SELLERS distinct sellers
are behind it; otherwise it is None and the page shows "–" with a footnote. A share of the
pagu counts as such a figure (pagu × share gives the amount back)."""

from dataclasses import dataclass
from datetime import date

from catalog.extensions import cache
from catalog.services import platform_stats
from catalog.services.certificates import jakarta_today
from catalog.services.compliance import DEFAULT_TARGET_PCT, pct

MIN_SELLERS = 5
TIMEOUT = 300


@dataclass(frozen=True)
class Kecamatan:
    name: str
    verified: int


@dataclass(frozen=True)
class Kota:
    name: str
    verified: int
    kecamatan: list[Kecamatan]


@dataclass(frozen=True)
class AgencySpend:
    name: str
    type: str
    pagu: int | None  # the agency's own budget: public; None without one
    target_pct: int
    committed: int | None  # None: fewer than MIN_SELLERS sellers behind it
    umkk_committed: int | None
    share_of_pagu_pct: float | None  # None: no pagu, or the UMK-K figure is held back

    @property
    def withheld(self) -> bool:
        return self.committed is None or self.umkk_committed is None


@dataclass(frozen=True)
class Transparency:
    as_of: date
    year: int
    kota: list[Kota]
    verified_total: int
    listed_products: int
    agencies: list[AgencySpend]
    pagu: int
    committed: int | None
    umkk_committed: int | None
    share_of_pagu_pct: float | None
    target_pct: int = DEFAULT_TARGET_PCT

    @property
    def any_withheld(self) -> bool:
        return self.committed is None or self.umkk_committed is None or any(a.withheld for a in self.agencies)


def _enough(amount: int, sellers: int) -> int | None:
    """The amount when it comes from MIN_SELLERS distinct sellers or more; else None. Nothing
    spent (no seller at all) is not anybody's revenue, so 0 is shown."""
    if amount == 0 and sellers == 0:
        return 0
    return amount if sellers >= MIN_SELLERS else None


def _regions() -> tuple[list[Kota], int]:
    by_kota: dict[str, list] = {}
    for row in platform_stats.umkm_by_kecamatan():
        by_kota.setdefault(row.kota_name, []).append(Kecamatan(row.name, row.verified))
    kota = [Kota(name, sum(k.verified for k in items), items) for name, items in by_kota.items()]
    return kota, sum(k.verified for k in kota)


def _agencies(year: int) -> tuple[list[AgencySpend], list[int], list[int]]:
    """The agencies with a pagu or spend this year, and the ids of those whose spend (all, UMK-K)
    is held back."""
    spend = platform_stats.government_spend(year)
    sellers = platform_stats.agency_sellers(year)
    found, held_all, held_umkk = [], [], []
    for rank in spend.agencies:
        if not rank.has_budget and not rank.committed:
            continue  # an agency with nothing for this year says nothing
        behind = sellers.get(rank.agency_id, platform_stats.AgencySellers(0, 0))
        committed = _enough(rank.committed, behind.sellers)
        umkk = _enough(rank.umkk_committed, behind.umkk_sellers)
        if committed is None:
            held_all.append(rank.agency_id)
        if umkk is None:
            held_umkk.append(rank.agency_id)
        found.append(AgencySpend(
            name=rank.name, type=rank.type, pagu=rank.pagu if rank.has_budget else None, target_pct=rank.target_pct,
            committed=committed, umkk_committed=umkk,
            share_of_pagu_pct=pct(umkk, rank.pagu) if umkk is not None and rank.has_budget else None))
    return found, held_all, held_umkk


def _total(amount: int, sellers: int, year: int, held: list[int], umkk: bool) -> int | None:
    """The sum over every agency, unless too few sellers are behind it — or behind what the
    held-back agencies spent together, which the total minus the shown rows would give away."""
    if _enough(amount, sellers) is None:
        return None
    if held:
        behind = platform_stats.sellers_behind(year, held)
        if (behind.umkk_sellers if umkk else behind.sellers) < MIN_SELLERS:
            return None
    return amount


@cache.memoize(timeout=TIMEOUT)
def page(today: date) -> Transparency:
    kota, verified_total = _regions()
    year = today.year
    spend = platform_stats.government_spend(year)
    agencies, held_all, held_umkk = _agencies(year)
    umkk = _total(spend.umkk_committed, spend.umkk_sellers, year, held_umkk, umkk=True)
    return Transparency(
        as_of=today, year=year, kota=kota, verified_total=verified_total,
        listed_products=platform_stats.listed_products(), agencies=agencies, pagu=spend.pagu,
        committed=_total(spend.committed, spend.sellers, year, held_all, umkk=False), umkk_committed=umkk,
        share_of_pagu_pct=pct(umkk, spend.pagu) if umkk is not None else None)


def current() -> Transparency:
    """Today's figures (Jakarta), cached for TIMEOUT seconds."""
    return page(jakarta_today())
