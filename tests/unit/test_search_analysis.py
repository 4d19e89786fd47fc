"""Indonesian analysis: what a shopper types and what a seller writes meet on the same terms."""

import pytest

from catalog.search import analysis
from catalog.search.highlight import highlight, snippet


def terms(text):
    return analysis.query_terms(text).terms


def test_spelling_variants_meet_on_one_word():
    assert terms("kripik pedes") == ("keripik", "pedas")
    assert terms("KAUS polos") == ("kaos", "polos")
    assert "keripik" in analysis.document_terms("Keripik Singkong Pedas")


@pytest.mark.parametrize("typed", ["250 gr", "250gr", "250 gram", "250g", "250 G"])
def test_numbers_keep_their_unit_spelled_one_way(typed):
    assert terms(f"kopi {typed}") == ("kopi", "250g")


def test_decimal_units_and_mixed_words_stay_whole():
    assert terms("gula aren 1,5 kg") == ("gula_aren", "1.5kg")
    assert analysis.document_terms("Kertas A4 ukuran XL") == ["kertas", "a4", "ukuran", "xl"]


def test_a_phrase_synonym_is_one_term_in_a_query_and_added_beside_its_words_in_a_document():
    assert terms("nasi box") == ("nasi_kotak",)
    assert terms("alat tulis kantor") == ("atk",)
    document = analysis.document_terms("Nasi Kotak Ayam Bakar")
    assert "nasi_kotak" in document and "nasi" in document and "kotak" in document


def test_stop_words_drop_out_and_a_query_of_only_stop_words_is_told_apart():
    assert terms("keripik untuk oleh yang pedas") == ("keripik", "pedas")
    only = analysis.query_terms("dan yang untuk")
    assert only.terms == () and only.only_stop_words
    empty = analysis.query_terms("   ")
    assert empty.terms == () and not empty.only_stop_words


def test_stems_are_memoised_and_over_stemming_keeps_the_exact_word_too():
    assert analysis.stem("kerajinan") == "rajin"
    assert analysis.stem("makanan") == "makan"
    assert analysis.stem("tas") == "tas"  # short words are left alone
    words = analysis.document_terms("Kerajinan Bambu")
    assert "kerajinan" in words and analysis.changed_stems(words) == ["rajin"]


@pytest.mark.parametrize("raw", [
    '* ? " ( ) AND OR NOT ~ ^ :', "'; DROP TABLE product; --", "🍜🍜🍜", "x" * 10_000, "\x00\x1f", "",
])
def test_query_syntax_and_odd_input_are_only_text(raw):
    parsed = analysis.query_terms(raw)
    assert len(parsed.terms) <= analysis.MAX_QUERY_WORDS
    assert all(term.isalnum() or "_" in term or "." in term for term in parsed.terms)


def test_non_latin_words_are_kept():
    assert terms("点心 keripik") == ("点心", "keripik")


def test_long_queries_are_cut_not_refused():
    parsed = analysis.query_terms(" ".join(f"kata{i}" for i in range(50)))
    assert len(parsed.terms) == analysis.MAX_QUERY_WORDS


def test_the_synonym_file_reads_groups_and_ignores_comments():
    table = analysis.parse_synonyms(["# komentar", "keripik: kripik, kripick", "nasi_kotak: nasi box", "rusak"])
    assert table.words == {"kripik": "keripik", "kripick": "keripik"}
    assert table.phrases == {("nasi", "box"): "nasi_kotak", ("nasi", "kotak"): "nasi_kotak"}


def test_highlight_marks_matching_words_and_escapes_the_rest():
    marked = highlight("Kripik <Pedas> & Manis", ("keripik", "pedas"))
    assert str(marked) == "<mark>Kripik</mark> &lt;<mark>Pedas</mark>&gt; &amp; Manis"
    assert str(highlight("Kerajinan Bambu", ("rajin",))) == "<mark>Kerajinan</mark> Bambu"


def test_snippet_shows_the_text_around_the_first_match():
    text = "Lorem ipsum dolor sit amet " * 20 + "keripik singkong pedas renyah " + "consectetur " * 20
    piece = str(snippet(text, ("singkong",), length=80))
    assert "<mark>singkong</mark>" in piece and piece.startswith("… ") and piece.endswith(" …")
    assert len(piece) < 140
