"""The tax preview on a government invoice (the Bendahara decides; DOMAIN.md).

Catalogue and quotation prices are what the agency pays. For a PKP seller they include PPN 11 %:
DPP = total × 100/111, PPN = total − DPP. PPh 22 is 1.5 % of the DPP, 0.5 % (final) when the
seller holds a valid Suket PP 55/2022, and nothing at or below Rp2.000.000. The Bendahara
withholds both; the seller receives the rest. Integer Rupiah throughout, rounded half up."""

from dataclasses import dataclass

PPN_PERCENT = 11
PPH22_PERMILLE = 15  # 1.5 %
PPH22_PP55_PERMILLE = 5  # 0.5 % final, with a Suket PP 55
PPH22_THRESHOLD = 2_000_000  # at or below: no PPh 22


@dataclass(frozen=True)
class TaxPreview:
    total: int
    dpp: int
    ppn: int
    pph22_rate_permille: int
    pph22: int

    @property
    def net(self) -> int:
        """What reaches the seller after the Bendahara's withholding."""
        return self.total - self.ppn - self.pph22

    @property
    def pph22_rate_label(self) -> str:
        return f"{self.pph22_rate_permille / 10:g}".replace(".", ",") + "%"


def _div_round(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def preview(total: int, *, is_pkp: bool, has_pp55: bool) -> TaxPreview:
    if total < 0:
        raise ValueError("a negative total has no tax")
    dpp = _div_round(total * 100, 100 + PPN_PERCENT) if is_pkp else total
    ppn = total - dpp
    if total <= PPH22_THRESHOLD:
        rate = 0
    else:
        rate = PPH22_PP55_PERMILLE if has_pp55 else PPH22_PERMILLE
    return TaxPreview(total=total, dpp=dpp, ppn=ppn, pph22_rate_permille=rate,
                      pph22=_div_round(dpp * rate, 1000))
