"""The English catalogue covers every message in the source, and the compiled files match it."""

import functools
import io
import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import DEFAULT_KEYWORDS, parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from werkzeug.utils import import_string

from config import BASE_DIR

TRANSLATIONS = BASE_DIR / "catalog" / "translations"
LOCALES = ("id", "en")


def _po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _read_po(locale: str):
    with _po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


def _keywords() -> dict:
    """Babel's default keywords plus the ones the Makefile passes to `pybabel extract`
    (BABEL_KEYWORDS), so this test and `make translations` see the same messages."""
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^BABEL_KEYWORDS\s*:?=\s*(.+)$", makefile, re.MULTILINE)
    assert match, "Makefile has no BABEL_KEYWORDS line"
    return {**DEFAULT_KEYWORDS, **parse_keywords(match.group(1).split())}


def _only_sources(dirpath: str) -> bool:
    """Walk catalog/ and templates/ only (not .venv or instance/ with its uploads), skipping
    hidden folders and caches as `make translations` does (templates/_macros is included)."""
    parts = Path(os.path.relpath(dirpath, BASE_DIR)).parts
    return (bool(parts) and parts[0] in {"catalog", "templates"}
            and not any(p.startswith(".") or p == "__pycache__" for p in parts))


@functools.cache
def _source_messages() -> dict[tuple[str, str | None], tuple[str, list[str]]]:
    """{(msgid, context): (msgid or plural tuple, [where])} extracted with babel.cfg's mapping."""
    with (BASE_DIR / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(BASE_DIR), method_map, options_map, keywords=_keywords(), strip_comment_tags=True,
        directory_filter=_only_sources,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        _, places = found.setdefault((msgid, context), (message, []))
        places.append(f"{filename}:{lineno}")
    return found


def _describe(key, places) -> str:
    msgid, context = key
    where = ", ".join(places[:3]) + (" …" if len(places) > 3 else "")
    return f"  {msgid!r}" + (f" (context {context!r})" if context else "") + f"  [{where}]"


def test_babel_cfg_finds_messages_in_python_and_templates():
    places = [place for _message, found_in in _source_messages().values() for place in found_in]
    assert any(p.startswith("catalog/") for p in places), "no messages extracted from catalog/**.py"
    assert any(p.startswith("templates/") for p in places), "no messages extracted from templates/"
    # Known messages: one through gettext `_()`, one through `_l()` (a keyword the Makefile adds).
    assert ("Halaman tidak ditemukan", None) in _source_messages()
    assert ("Silakan masuk untuk membuka halaman ini.", None) in _source_messages()


def test_every_message_in_the_source_has_an_english_translation():
    english = _read_po("en")
    missing, fuzzy = [], []
    for key, (message, places) in sorted(_source_messages().items(), key=lambda kv: kv[0][0]):
        msgid, context = key
        entry = english.get(msgid, context=context)
        strings = () if entry is None else entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not strings or not all(s.strip() for s in strings):
            missing.append(_describe(key, places))
        elif entry.fuzzy:
            fuzzy.append(_describe(key, places))
        elif isinstance(message, tuple) and not isinstance(entry.string, tuple):
            missing.append(_describe(key, places) + " (needs plural forms)")
    problems = []
    if missing:
        problems.append(f"{len(missing)} message(s) have no English translation in {_po_path('en').relative_to(BASE_DIR)}:")
        problems += missing
    if fuzzy:
        problems.append(f"{len(fuzzy)} English translation(s) are still marked fuzzy (review them, then drop the flag):")
        problems += fuzzy
    if problems:
        problems.append("Run `make translations`, translate the entries in en/LC_MESSAGES/messages.po, "
                        "then `make translations` again to compile.")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_placeholders_match_their_msgids(locale):
    """A translation that drops or renames %(name)s would raise at runtime; Babel's checkers catch it."""
    errors = [
        f"  {message.id!r}: {'; '.join(str(e) for e in errs)}"
        for message, errs in _read_po(locale).check()
        if errs
    ]
    assert not errors, f"{locale}/messages.po has broken entries:\n" + "\n".join(errors)


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_its_po_file(locale):
    """The committed .mo must be what `pybabel compile` makes of the committed .po."""
    po = _read_po(locale)
    fresh = io.BytesIO()
    write_mo(fresh, po)
    fresh.seek(0)
    mo_path = _po_path(locale).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(BASE_DIR)} is missing: run `make translations`"
    with mo_path.open("rb") as fh:
        on_disk = read_mo(fh)
    expected = read_mo(fresh)

    def entries(catalogue):
        return {(tuple(m.id) if isinstance(m.id, list) else m.id, m.context):
                (tuple(m.string) if isinstance(m.string, list) else m.string) for m in catalogue if m.id}

    stale = sorted(
        str(key[0]) for key in entries(expected).keys() ^ entries(on_disk).keys()
    ) + sorted(
        str(key[0]) for key, value in entries(expected).items()
        if key in entries(on_disk) and entries(on_disk)[key] != value
    )
    if on_disk.plural_forms != expected.plural_forms:
        stale.append("Plural-Forms header")
    assert not stale, (
        f"{mo_path.relative_to(BASE_DIR)} is out of date with its .po ({len(stale)} differences, e.g. "
        f"{stale[:3]}): run `make translations` (or `make test`, which recompiles)."
    )


def test_indonesian_catalogue_never_blanks_a_message():
    """Indonesian is the source language: an id entry left empty must fall back to the msgid,
    never turn into an empty string on the page."""
    with (TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        compiled = read_mo(fh)
    blank = [m.id for m in compiled if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert not blank, f"id/messages.mo maps these to empty text: {blank[:5]}"


def test_babel_cfg_parses_templates_with_the_apps_jinja_extensions(app):
    """If the app enables a Jinja extension the extractor does not know, its templates stop
    parsing and their strings silently leave the catalogue."""
    cfg = (BASE_DIR / "babel.cfg").read_text(encoding="utf-8")
    listed = set()
    for line in cfg.splitlines():
        if line.strip().startswith("extensions"):
            for name in line.split("=", 1)[1].split(","):
                extension = import_string(name.strip())  # jinja2.ext.i18n is an alias of the class
                listed.add(f"{extension.__module__}.{extension.__name__}")
    missing = [name for name in app.jinja_env.extensions if name not in listed]
    assert not missing, f"add {missing} to the jinja2 sections' extensions in babel.cfg"


def test_english_session_renders_pages_in_english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    response = client.get("/halaman-yang-tidak-ada")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in html
    assert "Halaman tidak ditemukan" not in html
    assert '<html lang="en">' in html


def test_indonesian_is_the_default_language(client):
    response = client.get("/halaman-yang-tidak-ada")
    html = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in html
    assert '<html lang="id">' in html
