"""Placeholder product photos for the demo: a coloured card per product template (the category's
colour, a simple shape, the product's initials and short title), stored as normal renditions.

Cards are shared: every product made from one template points at the same key, which keeps the
seed fast (ProductImage.key is not unique on purpose). Keys are fixed, so a second seed into the
same upload folder reuses the files already there.
"""

from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from catalog import storage
from catalog.services.images import StoredImage, rendition_key, store_renditions

SIZE = 640  # square cards; big enough for the product page, cheap to encode
# Bump when the drawing changes: keys are cached by browsers for a year.
KEY_PREFIX = "demo1"

# Base colour per top-level category slug.
PALETTE = {
    "makanan": (214, 92, 38),
    "minuman": (28, 118, 156),
    "fashion-batik": (122, 62, 140),
    "kerajinan": (150, 98, 48),
    "rumah-tangga": (32, 138, 110),
    "atk": (48, 78, 140),
    "katering": (186, 52, 64),
    "percetakan": (196, 122, 10),
    "jasa": (72, 112, 72),
}
FALLBACK_COLOUR = (96, 96, 96)
# Children of one top category get lighter or darker shades of its colour.
SHADES = (0.0, 0.14, -0.14, 0.26, -0.24, 0.36)
SHAPES = ("circle", "rounded", "diamond", "hexagon")
SMALL_WORDS = {"dan", "&", "per", "isi", "untuk", "dengan", "khas", "no."}


@dataclass(frozen=True)
class PictureSpec:
    key: str
    title: str  # the template's short name: "Keripik Singkong"
    label: str  # the child category's name, printed small at the top
    colour: tuple[int, int, int]
    shape: str


def picture_key(category_slug: str, template_index: int) -> str:
    return f"{KEY_PREFIX}-{category_slug}-{template_index}"


def shade(colour: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    """Mix towards white (amount > 0) or black (amount < 0)."""
    if amount >= 0:
        return tuple(round(c + (255 - c) * amount) for c in colour)  # type: ignore[return-value]
    return tuple(round(c * (1 + amount)) for c in colour)  # type: ignore[return-value]


def picture_spec(top_slug: str, child_slug: str, child_position: int, child_name: str,
                 template_index: int, title: str) -> PictureSpec:
    base = PALETTE.get(top_slug, FALLBACK_COLOUR)
    return PictureSpec(
        key=picture_key(child_slug, template_index),
        title=title,
        label=child_name,
        colour=shade(base, SHADES[child_position % len(SHADES)]),
        shape=SHAPES[template_index % len(SHAPES)],
    )


def initials(title: str) -> str:
    """"Keripik Singkong" → "KS"; small words are skipped, at most two letters."""
    words = [w for w in title.split() if w.lower() not in SMALL_WORDS and w[0].isalnum()]
    return "".join(w[0].upper() for w in words[:2]) or "?"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font: the same on every machine, no system fonts needed.
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int = 2) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,") + "…"
    return lines


def render_card(spec: PictureSpec) -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), spec.colour)
    draw = ImageDraw.Draw(image)
    light = shade(spec.colour, 0.3)
    dark = shade(spec.colour, -0.45)

    # Two soft discs off the corners give the card depth (few edges: cheap to encode).
    draw.ellipse((SIZE - 260, -200, SIZE + 200, 260), fill=shade(spec.colour, 0.08))
    draw.ellipse((-220, 300, 200, 720), fill=shade(spec.colour, -0.06))

    cx, cy, r = SIZE // 2, 270, 165
    box = (cx - r, cy - r, cx + r, cy + r)
    if spec.shape == "circle":
        draw.ellipse(box, fill=light)
    elif spec.shape == "rounded":
        draw.rounded_rectangle(box, radius=60, fill=light)
    elif spec.shape == "diamond":
        draw.polygon([(cx, cy - r - 20), (cx + r + 20, cy), (cx, cy + r + 20), (cx - r - 20, cy)], fill=light)
    else:
        draw.regular_polygon((cx, cy, r + 10), n_sides=6, fill=light)

    draw.text((cx, cy), initials(spec.title), font=_font(150), fill=dark, anchor="mm")
    draw.text((36, 34), spec.label.upper(), font=_font(26), fill=(255, 255, 255))

    # The short title on a white band at the bottom, as on a shop's price card.
    draw.rounded_rectangle((28, 470, SIZE - 28, SIZE - 28), radius=22, fill=(255, 255, 255))
    font = _font(42)
    lines = _wrap(draw, spec.title, font, SIZE - 110)
    line_height = 50
    top = 470 + (SIZE - 28 - 470 - line_height * len(lines)) // 2 + line_height // 2
    for i, line in enumerate(lines):
        draw.text((cx, top + i * line_height), line, font=font, fill=dark, anchor="mm")
    return image


def ensure_pictures(specs: list[PictureSpec]) -> tuple[dict[str, StoredImage], int]:
    """Store every card that is not in storage yet; returns key → image and how many were drawn.

    About 30 ms a card, nearly all of it WebP encoding (which holds the GIL: threads do not help).
    """
    stored: dict[str, StoredImage] = {}
    drawn = 0
    for spec in specs:
        # The last rendition store_renditions writes: present means the whole set is there.
        if storage.exists(rendition_key(spec.key, 960, "jpg")):
            stored[spec.key] = StoredImage(key=spec.key, width=SIZE, height=SIZE)
            continue
        stored[spec.key] = store_renditions(render_card(spec), key=spec.key)
        drawn += 1
    return stored, drawn
