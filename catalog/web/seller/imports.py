"""Seller views: CSV import and export of the seller's own listings, the stock list and the template.

Every view but the template is for a logged-in seller with a profile (`seller_profile_required`:
anonymous → log-in page, other roles → 403, a seller without a profile → the registration
wizard), and reads or writes only that seller's products. POSTs pass the global CSRF check.
"""

import io
from pathlib import PurePath

from flask import abort, current_app, flash, redirect, render_template, send_file, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.utils import secure_filename

from catalog.authz import current_seller, public, seller_profile_required
from catalog.formatting import angka
from catalog.services import listing_csv, listings
from catalog.services.seller_stats import today_in_jakarta
from catalog.web.seller import bp
from catalog.web.seller.forms_imports import ImportErrorsForm, ImportForm

ERRORS_SALT = "katalog.listing-import-errors"
# The errors page is read and its download clicked within minutes; an hour is generous.
ERRORS_MAX_AGE = 60 * 60
ERRORS_SHOWN = 200  # rows of the table on the page; the download has every problem
TEMPLATE_FILE = "template-produk.csv"
CSV_MIMETYPE = "text/csv"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=ERRORS_SALT)


def _errors_token(seller_id: int, filename: str, errors: list[listing_csv.RowError]) -> str:
    """The refused import's errors, signed (and compressed) into the page itself: no server-side
    state that another app instance would not see, and nobody can forge a download."""
    rows = [[error.row, error.column, str(error.message)] for error in errors]
    return _serializer().dumps({"s": seller_id, "n": filename, "e": rows})


def _csv_download(data: bytes, name: str):
    response = send_file(io.BytesIO(data), mimetype=CSV_MIMETYPE, as_attachment=True, download_name=name,
                         max_age=0)
    # A seller's own data: never kept by a shared cache or proxy.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _import_page(form, *, rejected=None, errors_form=None, filename=""):
    return render_template(
        "seller/imports/index.html",
        form=form,
        rejected=rejected,
        errors_form=errors_form,
        filename=filename,
        shown=ERRORS_SHOWN,
        columns=listing_csv.COLUMNS,
        examples=listing_csv.example_tables(),
        max_rows=listing_csv.MAX_ROWS,
        category_groups=listings.leaf_category_groups(),
    )


@bp.route("/produk/impor", methods=["GET", "POST"], endpoint="listings_import")
@seller_profile_required
def listings_import():
    """Upload a CSV of listings: every row is checked first; when any row is wrong nothing is
    saved and the page lists every problem with a download of them. Sellers with a profile;
    other roles 403 (anonymous: log-in page). A file naming another seller's product id is
    refused row by row, never applied."""
    seller = current_seller()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = PurePath(upload.filename or "").name[:120]
        # One byte past the limit is enough to know the file is too big, without reading it all.
        try:
            data = upload.stream.read(listing_csv.MAX_BYTES + 1)
        finally:
            upload.close()  # a large upload is spooled to a temporary file: free it now
        try:
            result = listing_csv.import_csv(seller, data, actor_id=current_user.id)
        except listing_csv.CsvRejected as rejected:
            errors_form = ImportErrorsForm(formdata=None, token=_errors_token(seller.id, filename, rejected.errors))
            return _import_page(form, rejected=rejected, errors_form=errors_form, filename=filename)
        flash(_("Impor berhasil: %(created)s produk baru, %(updated)s produk diperbarui.",
                created=angka(result.created), updated=angka(result.updated)), "success")
        if result.unchanged:
            flash(_("%(n)s produk di berkas tidak berubah.", n=angka(result.unchanged)), "info")
        if result.filled:
            # Usually a combination that does not exist (no Merah in S), sometimes a typo in a
            # value: the seller should look at the Varian page either way.
            flash(_("%(n)s kombinasi yang tidak ada di berkas dibuat tidak aktif dengan stok 0. Periksa di halaman "
                    "Varian produknya.", n=angka(result.filled)), "warning")
        return redirect(url_for("seller.listings"))
    return _import_page(form)


@bp.post("/produk/impor/kesalahan.csv", endpoint="listings_import_errors")
@seller_profile_required
def listings_import_errors():
    """The problems of the import just refused, as a CSV (baris, kolom, pesan), rebuilt from the
    signed list the errors page carries. Sellers with a profile; other roles 403. A list that
    is not this seller's answers 404; an expired or altered one sends the seller back to upload."""
    form = ImportErrorsForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        payload = _serializer().loads(form.token.data, max_age=ERRORS_MAX_AGE)
    except BadSignature:
        flash(_("Daftar kesalahan sudah kedaluwarsa. Silakan unggah berkasnya sekali lagi."), "warning")
        return redirect(url_for("seller.listings_import"))
    if payload.get("s") != current_seller().id:
        abort(404)
    stem = secure_filename(PurePath(payload.get("n") or "").stem)[:60] or "produk"
    return _csv_download(listing_csv.errors_csv(payload.get("e", [])), f"kesalahan-impor-{stem}.csv")


@bp.get("/produk/ekspor.csv", endpoint="listings_export")
@seller_profile_required
def listings_export():
    """Every listing of the logged-in seller (only theirs) as CSV, ready to edit and import back.
    Sellers with a profile; other roles 403 (anonymous: log-in page)."""
    seller = current_seller()
    name = f"produk-{seller.slug[:60]}-{today_in_jakarta():%Y%m%d}.csv"
    return _csv_download(listing_csv.export_listings(seller), name)


@bp.get("/produk/stok.csv", endpoint="stock_export")
@seller_profile_required
def stock_export():
    """The logged-in seller's stock list, one row per combination (id, judul, options, sku,
    satuan, stok, …) as CSV; importing it back updates just the stock. Sellers with a profile; other roles 403 (anonymous: log-in page)."""
    seller = current_seller()
    name = f"stok-{seller.slug[:60]}-{today_in_jakarta():%Y%m%d}.csv"
    return _csv_download(listing_csv.export_stock(seller), name)


@bp.get("/produk/templat.csv", endpoint="csv_template")
@public
def csv_template():
    """The CSV template with example rows (static/files/template-produk.csv). Anyone:
    it holds no data, and the format page links to it."""
    directory = PurePath(current_app.static_folder or "static") / "files"
    return send_from_directory(directory, TEMPLATE_FILE, mimetype=CSV_MIMETYPE, as_attachment=True,
                               download_name=TEMPLATE_FILE)
