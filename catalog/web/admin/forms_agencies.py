"""Admin forms for agencies: the agency itself, a budget year, a member's duty, and the reasons
for closing an agency or revoking a membership.

The rules (code format, kota, pagu, target, term) live in services/agency_admin.py; these forms
only carry what was typed, so selects do not pre-validate their choices (a forged value gets the
service's Indonesian message, not WTForms' English one)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from catalog.models.agencies import AGENCY_TYPES, DUTIES
from catalog.services import agency_admin, regions
from catalog.services.procurement.officers import duty_name
from catalog.services.verification import REASON_MAX
from catalog.web.auth.forms import AccountBaseForm

REASON_TOO_LONG = _l("Alasan terlalu panjang: maksimal %(max)d karakter.")


class AgencyForm(AccountBaseForm):
    name = StringField(_l("Nama instansi"), description=_l("Nama resmi, misalnya Dinas Pendidikan Kota Tangerang Selatan."))
    type = SelectField(_l("Jenis"), validate_choice=False)
    code = StringField(_l("Kode instansi"), description=_l(
        "Huruf kapital, angka dan tanda hubung. Dipakai di nomor Surat Pesanan: SP/KODE/2026/0001. "
        "Tidak dapat diubah lagi setelah instansi menerbitkan dokumen bernomor."))
    kota_code = SelectField(_l("Kota/Kabupaten"), validate_choice=False)
    kecamatan_code = SelectField(_l("Kecamatan (boleh dikosongkan)"), validate_choice=False)
    address = TextAreaField(_l("Alamat kantor"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [(t, agency_admin.type_name(t)) for t in AGENCY_TYPES]
        self.kota_code.choices = [("", _l("— pilih —")), *regions.kota_choices()]
        # Every kecamatan of Tangerang Raya grouped by kota: works without JavaScript.
        groups = {"": [("", _l("— tidak diisi —"))]}
        for code, name in regions.kota_choices():
            groups[name] = regions.choices(code)
        self.kecamatan_code.choices = groups

    def fields(self) -> agency_admin.AgencyFields:
        return agency_admin.AgencyFields(name=self.name.data, type=self.type.data, kota_code=self.kota_code.data,
                                         kecamatan_code=self.kecamatan_code.data, address=self.address.data,
                                         code=self.code.data)

    @classmethod
    def for_agency(cls, agency) -> "AgencyForm":
        return cls(formdata=None, data={"name": agency.name, "type": agency.type, "kota_code": agency.kota_code,
                                        "kecamatan_code": agency.kecamatan_code or "", "address": agency.address,
                                        "code": agency.code})


class BudgetForm(AccountBaseForm):
    """A year's pagu and settings; the year only when adding (the edit page shows it as text)."""

    fiscal_year = StringField(_l("Tahun anggaran"))
    pagu = StringField(_l("Pagu belanja barang/jasa (Rp)"), description=_l("Angka bulat Rupiah, misalnya 2.500.000.000."))
    target_share_pct = StringField(_l("Target porsi UMK-K (%)"), default="40",
                                   description=_l("Inpres 2/2022: minimal 40 persen."))
    overspend_policy = SelectField(_l("Bila sisa pagu tidak cukup"), validate_choice=False)
    payment_term_days = StringField(_l("Jangka waktu pembayaran (hari)"), default="30",
                                    description=_l("1 sampai 90 hari setelah tagihan diterima."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.overspend_policy.choices = [(key, label) for key, label in agency_admin.POLICY_NAMES.items()]

    def fields(self) -> agency_admin.BudgetFields:
        return agency_admin.BudgetFields(pagu=self.pagu.data, target_share_pct=self.target_share_pct.data,
                                         overspend_policy=self.overspend_policy.data,
                                         payment_term_days=self.payment_term_days.data)

    @classmethod
    def for_budget(cls, budget) -> "BudgetForm":
        return cls(formdata=None, data={"fiscal_year": str(budget.fiscal_year), "pagu": f"{budget.pagu:,}".replace(",", "."),
                                        "target_share_pct": str(budget.target_share_pct),
                                        "overspend_policy": budget.overspend_policy,
                                        "payment_term_days": str(budget.payment_term_days)})


class ReasonForm(AccountBaseForm):
    """Closing or reopening an agency, revoking a membership: one reason box. `required` only
    changes the label; the service decides."""

    reason = TextAreaField(_l("Alasan"), validators=[Length(max=REASON_MAX, message=REASON_TOO_LONG)])


def reason_form(id_prefix: str, label, help_text=None, form: ReasonForm | None = None) -> ReasonForm:
    """A reason form with its own id and label, so one page can hold several."""
    form = form if form is not None else ReasonForm(formdata=None)
    form.reason.id = f"{id_prefix}-reason"
    form.reason.label.field_id = form.reason.id
    form.reason.label.text = label
    form.reason.description = help_text or ""
    return form


class DutyForm(AccountBaseForm):
    duty = SelectField(_l("Tugas baru"), validate_choice=False)
    reason = TextAreaField(_l("Catatan (boleh dikosongkan)"), id="duty-reason",
                           validators=[Length(max=REASON_MAX, message=REASON_TOO_LONG)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duty.choices = [(duty, duty_name(duty)) for duty in DUTIES]
