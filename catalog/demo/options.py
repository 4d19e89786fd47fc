"""Which demo products are sold in options — clothes in Ukuran × Warna, keripik in Rasa × Berat —
and the plan of their combinations: price, stock, weight, on or off.

Plain data, no database. Every choice comes from a random stream of the product's own (seeded by
the catalogue's seed and the product's serial), so the rest of the catalogue is drawn exactly as
it would be without options."""

import itertools
import random
from dataclasses import dataclass

from catalog.demo.products import Profile, Size, Template

SIZES = ("S", "M", "L", "XL")
XL_SURCHARGE = 15_000  # the biggest size takes more cloth
APPAREL_SHARE = 0.75  # most shirts and t-shirts are sold in sizes
SNACK_SHARE = 0.5
SOLD_OUT_SHARE = 0.3  # products with one combination out of stock ("Stok habis" on one button)
SWITCHED_OFF_SHARE = 0.2  # products with one combination the seller switched off
PRICE_STEP = 500


@dataclass(frozen=True)
class OptionPlan:
    name: str  # "Ukuran"
    values: tuple[str, ...]  # ("S", "M", "L", "XL")


@dataclass(frozen=True)
class VariantPlan:
    values: tuple[int, ...]  # index into each option's values, in option order
    price: int
    stock: int
    weight_grams: int | None  # None: the product's weight
    active: bool = True


@dataclass(frozen=True)
class OptionsPlan:
    title: str  # without the words that became options ("Keripik Singkong", not "… Balado 250 gr")
    options: tuple[OptionPlan, ...]
    variants: tuple[VariantPlan, ...]
    weight_grams: int | None

    @property
    def price(self) -> int:
        return min(v.price for v in self.variants if v.active)

    @property
    def price_max(self) -> int:
        return max(v.price for v in self.variants if v.active)

    @property
    def stock(self) -> int:
        return sum(v.stock for v in self.variants if v.active)


@dataclass(frozen=True)
class Apparel:
    """A garment in S–XL and two or three colours. Without `colours`, the template's own variants
    are colours: they leave the title and become the Warna values."""

    colours: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snack:
    """Rasa (two or three of the template's flavours) × Berat (the template's pack sizes)."""


BATIK_COLOURS = ("Biru", "Merah", "Cokelat", "Hijau", "Hitam")

# (child category slug, template name) → how it is sold in options.
OPTION_TEMPLATES: dict[tuple[str, str], Apparel | Snack] = {
    ("batik", "Kemeja Batik Tulis"): Apparel(BATIK_COLOURS),
    ("batik", "Kemeja Batik Cap"): Apparel(BATIK_COLOURS),
    ("kemeja", "Kemeja PDH"): Apparel(("Krem", "Cokelat Muda", "Hijau Army", "Hitam")),
    ("kemeja", "Kemeja Koko Bordir"): Apparel(),
    ("kemeja", "Kemeja Oxford Pria"): Apparel(),
    ("kemeja", "Kemeja Seragam Kantor Bordir Logo"): Apparel(),
    ("kemeja", "Kemeja Lurik"): Apparel(),
    ("kaos", "Kaos Polos Cotton Combed 30s"): Apparel(),
    ("kaos", "Kaos Polo Bordir Logo"): Apparel(("Hitam", "Putih", "Navy", "Merah Maroon")),
    ("kaos", "Kaos Khas Tangerang Selatan"): Apparel(("Hitam", "Putih", "Abu Misty")),
    **{("keripik-camilan", name): Snack() for name in (
        "Keripik Singkong", "Keripik Pisang", "Basreng", "Makaroni Goreng", "Emping Melinjo", "Rengginang",
        "Kacang Bawang", "Stik Keju")},
}


def stream(seed: str, serial: int) -> random.Random:
    """The product's own random stream: same catalogue seed and serial, same options."""
    return random.Random(f"{seed}/opsi/{serial}")  # noqa: S311 (reproducible, not secret)


def plan_options(category: str, template: Template, profile: Profile, *, variant: str, size: Size, price: int,
                 sold_out: bool, seed: str, serial: int, always: bool = False) -> OptionsPlan | None:
    """The options of product number `serial` (drawn as `template` with `variant` and `size` at
    `price`), or None when it stays a simple product. `sold_out`: the product was drawn without
    stock, so every combination has none. `always`: give it options whenever its template allows."""
    kind = OPTION_TEMPLATES.get((category, template.name))
    if kind is None or profile.made_to_order:
        return None
    rng = stream(seed, serial)  # only now: seeding a stream for each of 100,000 products costs seconds
    share = SNACK_SHARE if isinstance(kind, Snack) else APPAREL_SHARE
    if rng.random() >= share and not always:
        return None
    if isinstance(kind, Snack):
        plan = _snack(template, rng, profile, sold_out)
    else:
        plan = _apparel(kind, template, variant, size, price, rng, profile, sold_out)
    if plan is None:
        return None
    return _with_gaps(plan, rng, sold_out)


def _stock(rng: random.Random, profile: Profile, sold_out: bool) -> int:
    """Per combination: a share of what the category usually holds of one product."""
    return 0 if sold_out else rng.randint(1, max(3, profile.stock[1] // 6))


def _apparel(kind: Apparel, template: Template, variant: str, size: Size, price: int, rng: random.Random,
             profile: Profile, sold_out: bool) -> OptionsPlan | None:
    if kind.colours:
        palette, title_parts = kind.colours, (template.name, variant, size.label)
    else:
        palette, title_parts = template.variants, (template.name, size.label)
    if len(palette) < 2:
        return None
    chosen = set(rng.sample(palette, min(len(palette), rng.choice((2, 3)))))
    colours = tuple(c for c in palette if c in chosen)  # the order the seller would type them
    options = (OptionPlan("Ukuran", SIZES), OptionPlan("Warna", colours))
    variants = tuple(
        VariantPlan(values=(s, c), price=price + (XL_SURCHARGE if SIZES[s] == "XL" else 0),
                    stock=_stock(rng, profile, sold_out), weight_grams=None)
        for s, c in itertools.product(range(len(SIZES)), range(len(colours)))
    )
    return OptionsPlan(title=" ".join(p for p in title_parts if p), options=options, variants=variants,
                       weight_grams=size.weight)


def _snack(template: Template, rng: random.Random, profile: Profile, sold_out: bool) -> OptionsPlan | None:
    sizes = template.sizes[:3]
    if len(template.variants) < 2 or len(sizes) < 2:
        return None
    chosen = set(rng.sample(template.variants, min(3, len(template.variants))))
    flavours = tuple(f for f in template.variants if f in chosen)
    # One price per pack size, each above the smaller one (a bigger pack never costs less).
    prices: list[int] = []
    for size in sizes:
        drawn = max(PRICE_STEP, round(rng.randint(size.low, size.high) / PRICE_STEP) * PRICE_STEP)
        prices.append(max(drawn, prices[-1] + PRICE_STEP) if prices else drawn)
    options = (OptionPlan("Rasa", flavours), OptionPlan("Berat", tuple(s.label for s in sizes)))
    variants = tuple(
        VariantPlan(values=(f, s), price=prices[s], stock=_stock(rng, profile, sold_out),
                    weight_grams=sizes[s].weight)
        for f, s in itertools.product(range(len(flavours)), range(len(sizes)))
    )
    return OptionsPlan(title=template.name, options=options, variants=variants, weight_grams=sizes[0].weight)


def _with_gaps(plan: OptionsPlan, rng: random.Random, sold_out: bool) -> OptionsPlan:
    """A few products show what shoppers meet in real shops: one combination sold out, one
    switched off by the seller (never the only one left on)."""
    variants = list(plan.variants)
    if not sold_out and rng.random() < SOLD_OUT_SHARE:
        i = rng.randrange(len(variants))
        variants[i] = VariantPlan(variants[i].values, variants[i].price, 0, variants[i].weight_grams)
    if rng.random() < SWITCHED_OFF_SHARE:
        i = rng.randrange(len(variants))
        v = variants[i]
        variants[i] = VariantPlan(v.values, v.price, v.stock, v.weight_grams, active=False)
    return OptionsPlan(plan.title, plan.options, tuple(variants), plan.weight_grams)
