"""Language choice: Bahasa Indonesia by default, English on request (session or account)."""

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str:
    if not has_request_context():
        # CLI commands, cron jobs and background work speak the default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    # The site speaks Indonesian first: only an explicit choice switches to English.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return "Asia/Jakarta"


def inject_i18n() -> dict:
    return {"current_locale": str(get_locale()), "languages": current_app.config["LANGUAGES"],
            "request_path": request.full_path.rstrip("?")}


def escape_lazy_strings() -> None:
    """flask_babel's LazyString.__html__ returns the translated text as markup, unescaped, so a
    message with user text inside (`_l("%(product)s: %(problem)s", product=title)`) rendered as
    `{{ message }}` would put a seller's or a client's HTML into the page. Our lazy messages never
    carry markup of their own: escape them like any other string."""
    from flask_babel import LazyString
    from markupsafe import escape

    LazyString.__html__ = lambda self: str(escape(str(self)))
