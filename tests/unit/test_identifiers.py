"""WhatsApp numbers, NIB and NPWP are stored in one canonical form; slugs are clean and unique."""

import pytest

from catalog.services.errors import ValidationFailed
from catalog.services.identifiers import (
    normalise_whatsapp,
    slugify,
    unique_slug,
    validate_nib,
    validate_npwp,
)


@pytest.mark.parametrize(
    "text",
    ["0812-3456-7890", "081234567890", "62812 3456 7890", "+62 812-3456-7890", "+62 (0)812 3456 7890",
     "0062 812 3456 7890", "812 3456 7890", " 0812.3456.7890 ", "(0812) 3456 7890"],
)
def test_whatsapp_numbers_in_every_common_form_become_plus_62(text):
    assert normalise_whatsapp(text) == "+6281234567890"


@pytest.mark.parametrize(("text", "expected"), [("0811-123-456", "+62811123456"), ("0858 1234 5678 9", "+62858123456789")])
def test_shortest_and_longest_mobile_numbers_are_accepted(text, expected):
    assert normalise_whatsapp(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", None, "021-555-1234", "+62 21 5551234", "(021) 7654321", "0812-345", "0812-3456-7890-12",
     "+1 415 555 0100", "0044 7700 900123", "0801 2345 6789", "nomor saya 0812", "08１２34567890",
     "0812-3456-789O", "++6281234567890"],
)
def test_landlines_foreign_and_garbage_numbers_are_refused_with_a_hint(text):
    with pytest.raises(ValidationFailed) as info:
        normalise_whatsapp(text)
    assert str(info.value.message) == "Nomor WhatsApp harus nomor HP Indonesia, misalnya 0812-3456-7890."
    assert info.value.field == "whatsapp"


@pytest.mark.parametrize("text", ["1234567890123", "1234 5678 9012 3", " 1234-5678-90123 "])
def test_nib_of_thirteen_digits_is_accepted_without_separators(text):
    assert validate_nib(text) == "1234567890123"


@pytest.mark.parametrize("text", ["", None, "123456789012", "12345678901234", "12345678901A3", "NIB1234567890123"])
def test_nib_of_the_wrong_length_or_with_letters_is_refused(text):
    with pytest.raises(ValidationFailed) as info:
        validate_nib(text)
    assert str(info.value.message) == "NIB harus 13 digit angka."


def test_sixteen_digit_npwp_is_kept():
    assert validate_npwp("3674 0123 4567 8901") == "3674012345678901"


def test_old_fifteen_digit_npwp_gets_the_leading_zero_djp_uses_since_2024():
    assert validate_npwp("01.234.567.8-901.000") == "0012345678901000"


@pytest.mark.parametrize("text", ["", "01.234.567.8-901", "12345678901234567", "01.234.567.8-901.00X"])
def test_npwp_of_another_length_is_refused(text):
    with pytest.raises(ValidationFailed) as info:
        validate_npwp(text)
    assert str(info.value.message) == "NPWP harus 16 digit angka (atau 15 digit format lama)."


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Kopi Susu Gula Aren", "kopi-susu-gula-aren"),
        ("  Keripik   Pisang -- Pedas!! ", "keripik-pisang-pedas"),
        ("Café Crème Brûlée", "cafe-creme-brulee"),
        ("Batik Tulis (Motif Kembang) 100%", "batik-tulis-motif-kembang-100"),
        ("Toko Bu Siti's", "toko-bu-siti-s"),
        ("../../etc/passwd", "etc-passwd"),
        ("日本茶", ""),
        ("", ""),
    ],
)
def test_slugify_gives_lowercase_ascii_words_joined_by_hyphens(text, slug):
    assert slugify(text) == slug


def test_long_slug_is_cut_at_a_word_boundary():
    slug = slugify("Keripik Singkong Balado Pedas Manis Khas Pamulang Tangerang Selatan Ukuran Keluarga", 40)
    assert slug == "keripik-singkong-balado-pedas-manis-khas"
    assert len(slug) <= 40


def test_long_single_word_is_cut_hard():
    assert slugify("a" * 100, 10) == "a" * 10


def test_unique_slug_is_the_plain_slug_when_free():
    assert unique_slug("Warung Bu Siti", lambda slug: False) == "warung-bu-siti"


def test_unique_slug_appends_the_next_free_number():
    taken = {"warung-bu-siti", "warung-bu-siti-2", "warung-bu-siti-3"}
    assert unique_slug("Warung Bu Siti", taken.__contains__) == "warung-bu-siti-4"


def test_unique_slug_keeps_within_the_maximum_length_with_its_suffix():
    base = "x" * 80
    slug = unique_slug(base, {"x" * 80}.__contains__, max_length=80)
    assert slug == "x" * 78 + "-2"


def test_unique_slug_falls_back_when_the_name_has_no_latin_letters():
    assert unique_slug("日本茶", lambda slug: False, fallback="produk") == "produk"
    assert unique_slug("日本茶", {"produk"}.__contains__, fallback="produk") == "produk-2"


def test_unique_slug_for_a_very_popular_name_switches_to_a_random_suffix_with_few_lookups():
    asked = []

    def exists(slug):
        asked.append(slug)
        return slug == "keripik-pisang" or slug.removeprefix("keripik-pisang-").isdigit()

    slug = unique_slug("Keripik Pisang", exists)
    assert slug.startswith("keripik-pisang-") and not slug.removeprefix("keripik-pisang-").isdigit()
    assert len(asked) <= 60


def test_unique_slug_gives_up_loudly_when_everything_is_taken():
    with pytest.raises(RuntimeError):
        unique_slug("kopi", lambda slug: True)
