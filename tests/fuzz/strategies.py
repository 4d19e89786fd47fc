"""Hypothesis strategies for form input: what a careless, hostile or simply foreign user may type
(non-Latin scripts, emoji, 10 000-character strings, blanks, numbers as words, negative and huge
numbers, decimals where whole numbers belong, NUL bytes, dates in the wrong format), and a
submission built from a form's fields: a known-good baseline with a few fields replaced."""

from dataclasses import dataclass
from datetime import timedelta

from hypothesis import strategies as st
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FileField,
    FormField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TelField,
)

from catalog.models.base import utcnow
from catalog.web.fields import QuantityField, RupiahField


@dataclass(frozen=True)
class Upload:
    """A file to post: bytes and the name the browser would send."""

    content: bytes
    filename: str


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # the field is left out of the POST altogether

SPECIAL_TEXT = [
    "", " ", "   \t\n  ", "0", "00", "-1", "-100", "-0", "1.5", "-0.5", "2,5", "0,001", "1e9", "1e400", "NaN",
    "inf", "-Infinity", str(10**30), str(-(10**30)), "9" * 40, "2147483648", "9223372036854775808",
    "Rp 1.000.000.000.000.000.000.000", "1.000.000.000.000.000.000.000.000.000", "satu", "dua puluh",
    "\x00", "a\x00b", "\x00" * 3, "2026-02-30", "31/12/2026", "12/31/2026", "2026-13-01", "0000-00-00",
    "0001-01-01", "9999-12-31", "99999-01-01", "2026-12-07T25:61", "2026-12-07 10:00", "besok",
    "０１２３", "١٢٣٤", "²³", "🙂", "👨‍👩‍👧‍👦" * 3, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ꦲꦏ꧀ꦱꦫ", "東京都渋谷区", "مرحبا بالعالم",
    "Тангеранг", "<b>tebal</b><script>alert(1)</script>", "' OR '1'='1", "%s%s%n", "{{ 7*7 }}",
    "../../etc/passwd", "\u202eterbalik", "\ufeffBOM", "a\r\nb", "=HYPERLINK(\"http://x\")",
]
HUGE_TEXT = ["x" * 10_001, "🙂" * 10_001, "٣" * 12_000, "1" * 10_001, " " * 10_001, "ကြ" * 6_000]

# What most often breaks a site: numbers past any column, NUL (PostgreSQL refuses it in text),
# negatives, text longer than the column.
KILLERS = [str(10**30), "a\x00b", "-1", "x" * 10_001]

nasty_text = st.one_of(
    st.sampled_from(KILLERS),
    st.sampled_from(SPECIAL_TEXT),
    st.sampled_from(SPECIAL_TEXT),
    st.sampled_from(HUGE_TEXT),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
)

BAD_FILES = [b"", b"\x00" * 64, b"%PDF-1.4 rusak", b"GIF89a\x00\x00", b"\x89PNG\r\n\x1a\n\x00\x00",
             b"\xff\xd8\xff\xe0 bukan jpeg", "judul,harga\nTeh,😀\n".encode(), b"PK\x03\x04"]
FILE_NAMES = ["a.pdf", "foto.jpg", "gambar.png", "produk.csv", "😀.jpeg", "../../x.pdf", "", "a" * 300 + ".pdf",
              "tanpa-ekstensi", "x.exe", "nul\x00.pdf"]

nasty_file = st.builds(Upload, st.one_of(st.sampled_from(BAD_FILES), st.binary(max_size=300)),
                       st.sampled_from(FILE_NAMES))


@dataclass(frozen=True)
class Slot:
    """One input of a form: its posted name, its kind and the values a valid submission uses."""

    name: str
    kind: str  # "text", "choice", "bool", "file"
    choices: tuple[str, ...] = ()
    default: object = MISSING


def _choices(field) -> tuple[str, ...]:
    choices = field.choices
    if choices is None:
        return ()
    if isinstance(choices, dict):
        choices = [c for group in choices.values() for c in group]
    values = []
    for choice in choices:
        value = choice[0] if isinstance(choice, tuple | list) else getattr(choice, "value", choice)
        values.append(str(value))
    return tuple(values)


def _default(field) -> object:
    today = utcnow().date()
    if isinstance(field, FileField | MultipleFileField | SubmitField):
        return MISSING
    if isinstance(field, BooleanField):
        return "y"
    if isinstance(field, SelectField | RadioField | SelectMultipleField):
        real = [c for c in _choices(field) if c]
        return real[0] if real else MISSING
    if isinstance(field, RupiahField):
        return "15.000"
    if isinstance(field, QuantityField):
        return "1"
    if isinstance(field, EmailField):
        return "fuzz@contoh.id"
    if isinstance(field, TelField):
        return "0812 3456 7890"
    if isinstance(field, PasswordField):
        return "Kopi-Tubruk-Pamulang-26"
    if isinstance(field, DateTimeLocalField) or type(field).__name__ == "LocalDateTimeField":
        return (today + timedelta(days=7)).strftime("%Y-%m-%dT10:00")
    if isinstance(field, DateField) or type(field).__name__ == "LocalDateField":
        return (today + timedelta(days=7)).isoformat()
    return "Contoh isian"


def _kind(field) -> str:
    if isinstance(field, FileField | MultipleFileField):
        return "file"
    if isinstance(field, BooleanField):
        return "bool"
    if isinstance(field, SelectField | RadioField | SelectMultipleField):
        return "choice"
    return "text"


def slots_of(form: Form, rows: int = 2) -> list[Slot]:
    """The inputs of a form instance, FieldList rows (of FormFields) spelled out as `rows` entries."""
    slots = []
    for field in form:
        if isinstance(field, SubmitField) or field.name == "csrf_token":
            continue
        if isinstance(field, FieldList):
            inner = field.unbound_field
            if inner.field_class is FormField:
                sub = inner.args[0]()
                for i in range(rows):
                    for sub_field in sub:
                        name = f"{field.name}-{i}-{sub_field.name}"
                        slots.append(Slot(name, _kind(sub_field), _choices_of(sub_field), _default(sub_field)))
            else:
                for i in range(rows):
                    slots.append(Slot(f"{field.name}-{i}", "text", default="Contoh isian"))
            continue
        slots.append(Slot(field.name, _kind(field), _choices_of(field), _default(field)))
    return slots


def _choices_of(field) -> tuple[str, ...]:
    return _choices(field) if isinstance(field, SelectField | RadioField | SelectMultipleField) else ()


def value_for(slot: Slot) -> st.SearchStrategy:
    """A value to put in `slot` in place of the valid one."""
    repeated = st.lists(nasty_text, min_size=2, max_size=3)  # the same name sent twice or more
    options = [nasty_text, st.just(MISSING), repeated]
    if slot.kind == "file":
        options = [nasty_file, st.just(MISSING), nasty_text]
    elif slot.kind == "bool":
        options = [st.sampled_from(["y", "", "on", "false", "0"]), *options]
    elif slot.kind == "choice" and slot.choices:
        options = [st.sampled_from(slot.choices), *options]
    return st.one_of(*options)


# Inputs no form declares, which views may still read (or must ignore).
STRAY_NAMES = ("next", "aksi", "id", "csrf_token")


@st.composite
def submissions(draw, slots: list[Slot], baseline: dict) -> dict:
    """A POST body: the baseline (valid) values with a few inputs replaced by generated ones.
    Hypothesis shrinks towards the baseline, so a failure shows the fewest bad inputs."""
    data = {slot.name: slot.default for slot in slots}
    data.update(baseline)
    names = sorted(data)
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=3)) if names else []
    chosen += draw(st.lists(st.sampled_from(STRAY_NAMES), unique=True, max_size=1))
    for name in chosen:
        slot = next((s for s in slots if s.name == name), Slot(name, "text"))
        data[name] = draw(value_for(slot))
    return {name: value for name, value in data.items() if value is not MISSING}


def sweep(slots: list[Slot], baseline: dict) -> list[dict]:
    """The valid submission with one text input at a time replaced by each of KILLERS: the
    classic 500s, tried on every input whatever Hypothesis happens to draw."""
    data = {slot.name: slot.default for slot in slots}
    data.update(baseline)
    kinds = {slot.name: slot.kind for slot in slots}
    bodies = []
    for name in sorted(data):
        if kinds.get(name, "text") != "text":
            continue
        for killer in KILLERS:
            body = {**data, name: killer}
            bodies.append({k: v for k, v in body.items() if v is not MISSING})
    return bodies
