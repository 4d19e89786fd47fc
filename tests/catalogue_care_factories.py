"""Helpers for the catalogue-care tests (categories, listing moderation, a hidden listing seen by
its seller): the page text and logging in. The admin and admin_client fixtures are in conftest.py."""

import re
from html import unescape

REASON = "Foto produk memuat nomor telepon pribadi."


def text_of(html: str) -> str:
    """What a reader sees: tags and scripts dropped, entities decoded, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def log_in(client, user) -> None:
    """Logged in as Flask-Login does it, without depending on the /masuk form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
