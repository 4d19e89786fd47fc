"""Descriptions keep paragraphs, lists and emphasis and lose everything that could run or style."""

import pytest

from catalog.services.errors import ValidationFailed
from catalog.services.richtext import (
    MAX_DESCRIPTION_CHARS,
    check_description_length,
    plain_text,
    sanitise_description,
)

ATTACKS = [
    "<script>alert(document.cookie)</script>Keripik",
    "<img src=x onerror=alert(1)>Keripik",
    '<a href="javascript:alert(1)">Keripik</a>',
    "<svg onload=alert(1)><script>alert(2)</script></svg>Keripik",
    '<iframe src="https://evil.example"></iframe>Keripik',
    "<style>body{display:none}</style>Keripik",
    '<p style="position:fixed;top:0" onclick="alert(1)">Keripik</p>',
    '<b onmouseover="alert(1)">Keripik</b>',
    "<scr<script>ipt>alert(1)</script>Keripik",
    "<!--<script>alert(1)</script>-->Keripik",
    '<form action="/keluar"><button>Keripik</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">Keripik',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>Keripik",
]


@pytest.mark.parametrize("payload", ATTACKS)
def test_html_and_javascript_payloads_leave_only_harmless_text(payload):
    cleaned = sanitise_description(payload)
    lowered = cleaned.lower()
    for dangerous in ("<script", "<img", "<svg", "<iframe", "<style", "<a ", "<form", "<object", "<embed",
                      "onerror", "onclick", "onload", "onmouseover", "javascript:", "style=", "<math"):
        assert dangerous not in lowered
    assert "Keripik" in cleaned


def test_script_and_style_content_is_removed_not_shown_as_text():
    cleaned = sanitise_description("<p>Enak</p><script>alert(1)</script><style>p{color:red}</style>")
    assert cleaned == "<p>Enak</p>"


def test_allowed_tags_are_kept_without_any_attributes():
    cleaned = sanitise_description(
        '<p class="x" id="y" title="t" lang="en" data-a="1"><strong>Renyah</strong>, <em>gurih</em>, '
        "<b>halal</b>, <i>tanpa pengawet</i></p><ul><li>100 g</li></ul><ol><li>250 g</li></ol>"
    )
    assert cleaned == (
        "<p><strong>Renyah</strong>, <em>gurih</em>, <b>halal</b>, <i>tanpa pengawet</i></p>"
        "<ul><li>100 g</li></ul><ol><li>250 g</li></ol>"
    )


def test_plain_text_lines_become_paragraphs_and_line_breaks():
    cleaned = sanitise_description("Keripik pisang asli Pamulang.\nDigoreng setiap pagi.\r\n\r\nTahan 2 bulan.")
    assert cleaned == "<p>Keripik pisang asli Pamulang.<br>Digoreng setiap pagi.</p><p>Tahan 2 bulan.</p>"


def test_dash_and_numbered_lines_become_lists():
    cleaned = sanitise_description("Keunggulan:\n\n- Tanpa pengawet\n• Halal MUI\n\n1. Pesan\n2) Bayar")
    assert cleaned == (
        "<p>Keunggulan:</p><ul><li>Tanpa pengawet</li><li>Halal MUI</li></ul><ol><li>Pesan</li><li>Bayar</li></ol>"
    )


def test_special_characters_in_plain_text_are_escaped_not_lost():
    assert sanitise_description("Harga < 10rb & gratis ongkir > 5 km") == (
        "<p>Harga &lt; 10rb &amp; gratis ongkir &gt; 5 km</p>"
    )


def test_blocks_from_pasted_pages_become_paragraphs():
    cleaned = sanitise_description('<div class="a">Satu</div><div>Dua</div><h2 id="t">Tiga</h2>')
    assert cleaned == "<p>Satu</p><p>Dua</p><p>Tiga</p>"


def test_empty_paragraphs_are_dropped_and_empty_input_gives_empty_text():
    assert sanitise_description("<p>Isi</p><p> </p><p><br></p>") == "<p>Isi</p>"
    assert sanitise_description("   ") == ""
    assert sanitise_description(None) == ""
    assert sanitise_description("<script>alert(1)</script>") == ""


def test_sanitising_twice_changes_nothing():
    once = sanitise_description("Satu\nDua\n\n- a\n- b\n\n<b>Tiga</b> & <i>empat</i>")
    assert sanitise_description(once) == once


def test_description_longer_than_the_limit_is_refused_with_a_message():
    with pytest.raises(ValidationFailed) as info:
        sanitise_description("a" * (MAX_DESCRIPTION_CHARS + 1))
    assert str(info.value.message) == "Deskripsi terlalu panjang: maksimal 5.000 karakter."
    assert info.value.field == "description"


def test_markup_does_not_count_toward_the_length_limit():
    text = "<p><strong>" + "a" * MAX_DESCRIPTION_CHARS + "</strong></p>"
    assert sanitise_description(text) == text
    check_description_length(text)


def test_huge_paste_is_refused_before_parsing():
    with pytest.raises(ValidationFailed):
        sanitise_description("<b>x</b>" * 50_000)


def test_length_check_accepts_a_custom_limit():
    check_description_length("abc", max_chars=3)
    with pytest.raises(ValidationFailed) as info:
        check_description_length("<p>abcd</p>", max_chars=3)
    assert "maksimal 3 karakter" in str(info.value.message)


def test_plain_text_joins_blocks_with_spaces_and_decodes_entities():
    html = "<p>Keripik &amp; kerupuk</p><ul><li>Pedas</li><li>Manis</li></ul><p>Baris<br>baru</p>"
    assert plain_text(html) == "Keripik & kerupuk Pedas Manis Baris baru"


def test_plain_text_drops_scripts_entirely():
    assert plain_text("<script>alert(1)</script><p>Aman</p>") == "Aman"


def test_plain_text_is_cut_at_a_word_with_an_ellipsis():
    snippet = plain_text("<p>Keripik pisang renyah dari Pamulang, digoreng setiap pagi</p>", 30)
    assert snippet == "Keripik pisang renyah dari…"
    assert len(snippet) <= 30


def test_plain_text_shorter_than_the_limit_is_unchanged():
    assert plain_text("<p>Kopi</p>", 30) == "Kopi"
    assert plain_text(None, 30) == ""


def test_plain_text_cuts_a_single_long_word_hard():
    assert plain_text("a" * 50, 10) == "a" * 9 + "…"
