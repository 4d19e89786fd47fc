"""Forms for the CSV import: the upload, and the button that downloads a rejected file's errors."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

# What the file picker offers first; any file is still read by content, not by its name.
ACCEPT_CSV = ".csv,text/csv,text/plain,application/vnd.ms-excel"


class ImportForm(FlaskForm):
    file = FileField(
        _l("Berkas CSV daftar produk"),
        validators=[FileRequired(message=_l("Pilih berkas CSV terlebih dahulu."))],
        description=_l("Maksimal 5 MB dan 5.000 baris produk."),
        render_kw={"accept": ACCEPT_CSV},
    )


class ImportErrorsForm(FlaskForm):
    """Carries the signed list of errors of the import just refused (kept in the page, not on
    the server, so any instance behind the load balancer can answer the download)."""

    token = HiddenField(validators=[DataRequired(message=_l("Daftar kesalahan tidak ditemukan."))])
