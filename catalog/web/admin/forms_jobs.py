"""Admin forms for failed background jobs: run one again, or close it with a reason."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from catalog.web.admin.catalogue_forms import optional_id

MSG_UNKNOWN = _l("Tugas tidak dikenal. Muat ulang halaman lalu pilih dari daftar.")
REASON_MIN, REASON_MAX = 5, 300


class RerunForm(FlaskForm):
    """Jalankan ulang: run the failed job again (queued with Redis, at once without)."""

    failure_id = HiddenField(filters=[optional_id], validators=[DataRequired(MSG_UNKNOWN)])


class ResolveForm(RerunForm):
    """Tandai selesai: close the failure without running it (fixed by hand, or not needed)."""

    reason = TextAreaField(_l("Alasan (wajib)"), validators=[
        DataRequired(_l("Tulis alasannya, misalnya: sudah dikirim manual.")),
        Length(min=REASON_MIN, max=REASON_MAX, message=_l("Alasan %(min)d sampai %(max)d karakter.")),
    ])
