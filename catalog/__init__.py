"""Katalog UMKM: the application factory."""

import logging
import os
import uuid
from pathlib import Path

from flask import Flask, g, request
from flask_wtf.csrf import CSRFError

from config import BASE_DIR, CONFIGS, ProductionConfig

log = logging.getLogger(__name__)


def create_app(config_class=None) -> Flask:
    """Build the app. `config_class` defaults to the class named by FLASK_CONFIG (development)."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("FLASK_CONFIG", "development")]
    if issubclass(config_class, ProductionConfig):
        config_class.check()

    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance")).resolve()),
    )
    app.config.from_object(config_class)
    from catalog.observability import logs, metrics

    logs.configure_logging(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)

    if app.config.get("PROXY_HOPS"):
        # The client's address and scheme as the trusted proxies saw them (rate limits, logs,
        # https links), never as a client claims them: only the last PROXY_HOPS entries count.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_filters(app)
    register_request_hooks(app)
    metrics.init_app(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from catalog import models  # noqa: F401  (one complete metadata for Alembic)
    from catalog.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
    from catalog.i18n import escape_lazy_strings, select_locale, select_timezone

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)
    from catalog.models.search import include_object

    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True,
                     include_object=include_object)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    escape_lazy_strings()
    cache.init_app(app)
    limiter.init_app(app)

    from catalog import search

    search.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # "basic": a session whose IP or browser changes is marked non-fresh instead of dropped;
    # "strong" would log phone users out each time their mobile network changes address.
    # Sensitive actions (password change) ask for the current password anyway.
    login_manager.session_protection = "basic"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        from catalog.models import User

        raw_id, _, token = user_id.partition(":")
        if not raw_id.isdigit():
            return None
        user = db.session.get(User, int(raw_id))
        if user is None or user.session_token != token:
            return None
        return user


def _tune_sqlite(app: Flask) -> None:
    """WAL and a busy timeout let readers and one writer share the file (several threads)."""
    from sqlalchemy import event

    from catalog.extensions import db

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    from catalog.web.admin import bp as admin_bp
    from catalog.web.auth import bp as auth_bp
    from catalog.web.media import bp as media_bp
    from catalog.web.notifications import bp as notifications_bp
    from catalog.web.orders import bp as orders_bp
    from catalog.web.procurement import bp as procurement_bp
    from catalog.web.public import bp as public_bp
    from catalog.web.search import bp as search_bp
    from catalog.web.seller import bp as seller_bp
    from catalog.web.shop import bp as shop_bp
    from catalog.web.storefront import bp as storefront_bp
    from catalog.web.webhooks import bp as webhooks_bp

    for blueprint in (public_bp, search_bp, auth_bp, media_bp, storefront_bp, seller_bp, admin_bp,
                      notifications_bp, shop_bp, orders_bp, webhooks_bp, procurement_bp):
        app.register_blueprint(blueprint)
    from catalog.web.ops import bp as ops_bp  # /healthz, /readyz, /metrics

    app.register_blueprint(ops_bp)


def register_errorhandlers(app: Flask) -> None:
    from flask import render_template
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    messages = {
        400: (_("Permintaan tidak valid"), _("Permintaan Anda tidak dapat diproses. Periksa kembali isian Anda.")),
        403: (_("Akses ditolak"), _("Anda tidak memiliki izin untuk membuka halaman ini.")),
        404: (_("Halaman tidak ditemukan"), _("Halaman yang Anda cari tidak ada atau sudah dipindahkan.")),
        405: (_("Metode tidak diizinkan"), _("Alamat ini tidak menerima permintaan seperti itu.")),
        413: (_("Berkas terlalu besar"), _("Berkas yang Anda unggah melebihi batas ukuran.")),
        429: (_("Terlalu banyak percobaan"), _("Anda sudah terlalu sering mencoba. Tunggu sebentar lalu coba lagi.")),
        500: (_("Terjadi kesalahan"), _("Maaf, terjadi kesalahan di server kami. Tim kami sudah diberi tahu.")),
    }

    def render_error(code: int, detail: str | None = None, headers=None):
        title, text = messages.get(code, messages[500])
        # Messages are translated per request: look them up again under the current locale.
        body = render_template("errors/error.html", code=code, title=_(title), text=detail or _(text))
        return body, code, headers or {}

    # Why an officer was refused (authz.agency_officer_required passes the key as description).
    officer_refusals = {
        "membership": _l("Akun pejabat Anda menunggu konfirmasi Dinas. Sementara itu Anda dapat melihat katalog, "
                         "tetapi belum dapat membeli atas nama instansi."),
        "duty": _l("Halaman ini untuk tugas lain di instansi Anda (Pejabat Pengadaan, PPK atau Bendahara)."),
    }

    def http_error(e):
        # Keep the exception's headers (Allow on 405, Retry-After on 429).
        headers = {k: v for k, v in e.get_headers() if k.lower() != "content-type"}
        detail = officer_refusals.get(e.description) if e.code == 403 else None
        return render_error(e.code, str(detail) if detail else None, headers=headers)

    for code in messages:
        if code != 500:
            app.register_error_handler(code, http_error)

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return render_error(400, _("Formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."))

    @app.errorhandler(500)
    def server_error(_e):
        from catalog.extensions import db

        db.session.rollback()
        return render_error(500)


def register_template_filters(app: Flask) -> None:
    from catalog import formatting

    app.jinja_env.filters["rupiah"] = formatting.rupiah
    app.jinja_env.filters["tanggal"] = formatting.tanggal
    app.jinja_env.filters["tanggal_waktu"] = formatting.tanggal_waktu
    app.jinja_env.filters["angka"] = formatting.angka
    app.jinja_env.filters["persen"] = formatting.persen
    app.jinja_env.globals["image_url"] = formatting.image_url

    from catalog.i18n import inject_i18n

    app.context_processor(inject_i18n)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        # Carried into logs and audit events; a proxy may pass its own.
        g.request_id = request.headers.get("X-Request-ID", "")[:40] or uuid.uuid4().hex

    @app.before_request
    def drop_nul_characters():
        # PostgreSQL refuses a NUL character in any text value (a 500 from every lookup, filter or
        # log-in that passes one on) and no field ever needs one: drop them before a view reads
        # the query string, the form or the values in the path. Each becomes a space, as
        # catalogue.clean_query treats control characters ("keripik\0singkong" is two words).
        def clean(values):
            if not any("\x00" in k or "\x00" in v for k, v in values.items(multi=True)):
                return values
            return type(values)((k.replace("\x00", ""), v.replace("\x00", " ")) for k, v in values.items(multi=True))

        request.args = clean(request.args)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            request.form = clean(request.form)
        if request.view_args:
            request.view_args = {k: v.replace("\x00", " ") if isinstance(v, str) else v
                                 for k, v in request.view_args.items()}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
            )
        if app.config.get("PRODUCTION"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        return response


def register_cli(app: Flask) -> None:
    from catalog import cli

    cli.register(app)
