"""Forms of the seller registration wizard, the profile page and the documents page.

Field names match the `field` of the services' ValidationFailed, so a refusal lands on the
right input. Field validators call the same pure rules as services/sellers.py, so every problem
shows at once; the service checks everything again before writing.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import PasswordField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.fields import DateField, EmailField, TelField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional, ValidationError

from catalog.services import accounts, payout_account, sellers
from catalog.services.errors import ValidationFailed
from catalog.services.identifiers import normalise_whatsapp, validate_nib, validate_npwp
from catalog.services.uploads import ACCEPT_DOCUMENTS, ACCEPT_IMAGES
from catalog.web.auth.forms import AccountBaseForm, NewPassword, ValidEmail

YES, NO = "ya", "tidak"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


class Rule:
    """A field validator from a service rule: its ValidationFailed becomes the field's error."""

    def __init__(self, rule, *, optional: bool = False):
        self.rule = rule
        self.optional = optional

    def __call__(self, form, field):
        if field.errors or (self.optional and not (field.data or "").strip()):
            return
        try:
            self.rule(field.data)
        except ValidationFailed as error:
            raise ValidationError(str(error.message)) from None


class WizardForm(AccountBaseForm):
    """CSRF failures and service refusals are shown on the form (see AccountBaseForm)."""


class LocalDateField(DateField):
    """A date input whose "not a date" message is ours (WTForms' own is English only)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Tanggal tidak valid. Pilih tanggal dari kalender."))) from None


def _yes_no(label, yes_label, no_label):
    # validate_choice is off everywhere: WTForms' "Not a valid choice" is English; AnyOf says it in ours.
    return RadioField(label, choices=options([(NO, no_label), (YES, yes_label)]), default=NO, validate_choice=False,
                      validators=[DataRequired(message=_l("Pilih salah satu.")),
                                  AnyOf([YES, NO], message=_l("Pilih salah satu."))])


# --- step 1 -----------------------------------------------------------------------------------


class BusinessForm(WizardForm):
    business_name = StringField(
        _l("Nama usaha"), filters=[_strip],
        description=_l("Nama yang dilihat pembeli, misalnya “Keripik Singkong Bu Sari”."),
        validators=[DataRequired(message=_l("Nama usaha wajib diisi.")),
                    Length(max=sellers.BUSINESS_NAME_MAX, message=_l("Paling banyak %(max)d karakter.",
                                                                     max=sellers.BUSINESS_NAME_MAX))],
    )
    owner_name = StringField(
        _l("Nama pemilik"), filters=[_strip],
        description=_l("Sesuai KTP, seperti tercantum di NIB."),
        validators=[DataRequired(message=_l("Nama pemilik wajib diisi.")),
                    Length(max=sellers.OWNER_NAME_MAX, message=_l("Paling banyak %(max)d karakter.",
                                                                  max=sellers.OWNER_NAME_MAX))],
    )
    whatsapp = TelField(
        _l("Nomor WhatsApp usaha"), filters=[_strip],
        description=_l("Pembeli menghubungi Anda lewat nomor ini. Contoh: 0812 3456 7890."),
        validators=[DataRequired(message=_l("Nomor WhatsApp wajib diisi.")), Length(max=30, message=_l(
            "Nomor WhatsApp harus nomor HP Indonesia, misalnya 0812-3456-7890.")), Rule(normalise_whatsapp)],
    )
    nib = StringField(
        _l("NIB (Nomor Induk Berusaha)"), filters=[_strip],
        description=_l("NIB ada di dokumen OSS Anda, 13 angka."),
        validators=[DataRequired(message=_l("NIB wajib diisi.")),
                    Length(max=30, message=_l("NIB harus 13 digit angka.")), Rule(validate_nib)],
    )
    scale = RadioField(
        _l("Skala usaha"),
        choices=options((key, label) for key, (label, _limit) in sellers.SCALE_LIMITS.items()),
        description=_l("Menurut PP 7/2021 (modal usaha di luar tanah dan bangunan). Skala juga tercatat di NIB Anda."),
        validate_choice=False,
        validators=[DataRequired(message=_l("Pilih skala usaha: mikro, kecil atau menengah.")),
                    Rule(sellers.clean_scale)],
    )
    is_koperasi = _yes_no(_l("Bentuk usaha"), _l("Koperasi"), _l("Usaha perorangan atau badan usaha lain"))

    def business_data(self) -> sellers.BusinessData:
        return sellers.BusinessData(
            business_name=self.business_name.data, owner_name=self.owner_name.data,
            whatsapp=self.whatsapp.data, nib=self.nib.data, scale=self.scale.data,
            is_koperasi=self.is_koperasi.data == YES,
        )

    def fill_from(self, seller) -> None:
        self.business_name.data = seller.business_name
        self.owner_name.data = seller.owner_name
        self.whatsapp.data = seller.whatsapp
        self.nib.data = seller.nib
        self.scale.data = seller.scale
        self.is_koperasi.data = YES if seller.is_koperasi else NO


class NewSellerForm(BusinessForm):
    """Step 1 for a visitor without an account: the account and the business together."""

    name = StringField(
        _l("Nama lengkap Anda"), filters=[_strip],
        validators=[DataRequired(message=_l("Nama wajib diisi.")),
                    Length(max=accounts.NAME_MAX, message=_l("Nama paling banyak %(max)d karakter.",
                                                             max=accounts.NAME_MAX))],
    )
    email = EmailField(
        _l("Email"), filters=[_strip],
        description=_l("Untuk masuk dan menerima kabar verifikasi."),
        validators=[DataRequired(message=_l("Email wajib diisi.")),
                    Length(max=accounts.EMAIL_MAX, message=_l("Email paling banyak %(max)d karakter.",
                                                              max=accounts.EMAIL_MAX)),
                    ValidEmail()],
    )
    password = PasswordField(
        _l("Kata sandi"),
        description=_l("Minimal 8 karakter, jangan hanya angka, dan hindari kata sandi yang mudah ditebak."),
        validators=[DataRequired(message=_l("Kata sandi wajib diisi.")), NewPassword("email")],
    )
    password_confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(message=_l("Ulangi kata sandi Anda.")),
                    EqualTo("password", message=_l("Konfirmasi kata sandi tidak sama."))],
    )


# --- step 2 -----------------------------------------------------------------------------------

# Buttons of the location step that only reload the drop-downs (the page without JavaScript).
ACTION_PICK_KOTA = "pilih-kota"
ACTION_PICK_KECAMATAN = "pilih-kecamatan"


class LocationForm(WizardForm):
    # Choices are filled per request from the region table; the service checks the combination
    # (a forged kecamatan gets its message there), so WTForms' own choice check is off.
    kota = SelectField(_l("Kota/kabupaten"), validate_choice=False,
                       validators=[DataRequired(message=_l("Pilih kota atau kabupaten."))])
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False,
                            validators=[DataRequired(message=_l("Pilih kecamatan."))])
    kelurahan = SelectField(_l("Kelurahan/desa"), validate_choice=False,
                            description=_l("Boleh dikosongkan bila ragu."), validators=[Optional()])
    street = StringField(
        _l("Alamat (jalan, nomor, blok)"), filters=[_strip],
        description=_l("Contoh: Jl. Merpati Raya No. 12, Gg. Kenanga."),
        validators=[DataRequired(message=_l("Alamat jalan wajib diisi.")),
                    Length(max=sellers.STREET_MAX, message=_l("Paling banyak %(max)d karakter.",
                                                              max=sellers.STREET_MAX))],
    )
    rt = StringField(_l("RT"), filters=[_strip], validators=[Optional(), Rule(lambda v: sellers.clean_rt_rw(v, "rt"))])
    rw = StringField(_l("RW"), filters=[_strip], validators=[Optional(), Rule(lambda v: sellers.clean_rt_rw(v, "rw"))])

    def set_choices(self, kota_choices, kecamatan_choices, kelurahan_choices) -> None:
        self.kota.choices = options([("", _l("— Pilih kota/kabupaten —")), *kota_choices])
        self.kecamatan.choices = options([("", _l("— Pilih kecamatan —") if kecamatan_choices
                                               else _l("— Pilih kota/kabupaten dulu —")), *kecamatan_choices])
        self.kelurahan.choices = options([("", _l("— Pilih kelurahan/desa —") if kelurahan_choices
                                               else _l("— Pilih kecamatan dulu —")), *kelurahan_choices])

    def location_data(self) -> sellers.LocationData:
        return sellers.LocationData(kota=self.kota.data, kecamatan=self.kecamatan.data,
                                    kelurahan=self.kelurahan.data or None, street=self.street.data,
                                    rt=self.rt.data, rw=self.rw.data)

    def fill_from(self, seller) -> None:
        self.kota.data = seller.kota_code or ""
        self.kecamatan.data = seller.kecamatan_code or ""
        self.kelurahan.data = seller.kelurahan_code or ""
        street, rt, rw = sellers.split_address(seller.address)
        self.street.data, self.rt.data, self.rw.data = street, rt, rw


# --- step 3 -----------------------------------------------------------------------------------


class TaxBankForm(WizardForm):
    npwp = StringField(
        _l("NPWP (boleh dikosongkan)"), filters=[_strip],
        description=_l("16 angka, atau 15 angka untuk kartu NPWP lama."),
        validators=[Optional(), Length(max=30, message=_l("NPWP harus 16 digit angka (atau 15 digit format lama).")),
                    Rule(validate_npwp, optional=True)],
    )
    is_pkp = _yes_no(_l("Pengusaha Kena Pajak (PKP)?"), _l("Ya, PKP (memungut PPN)"), _l("Bukan PKP"))
    bank = SelectField(
        _l("Bank"),
        choices=options([("", _l("— Pilih bank —")), *payout_account.bank_choices(None)]),
        validate_choice=False,  # the service checks it: a seller's unlisted bank from before stays valid
        validators=[DataRequired(message=_l("Pilih bank dari daftar."))],
    )
    account_number = StringField(
        _l("Nomor rekening"), filters=[_strip], description=_l("Hanya angka, 6–20 digit."),
        validators=[DataRequired(message=_l("Nomor rekening wajib diisi.")),
                    Length(max=40, message=_l("Nomor rekening harus 6–20 digit angka.")),
                    Rule(sellers.clean_account_number)],
    )
    account_name = StringField(
        _l("Nama pemilik rekening"), filters=[_strip],
        description=_l("Atas nama usaha atau pemiliknya, persis seperti di buku tabungan. Pembayaran dari pembeli "
                       "dan instansi dikirim ke rekening ini; bila rekening diganti, pencairan ke rekening baru "
                       "ditahan 24 jam."),
        validators=[DataRequired(message=_l("Nama pemilik rekening wajib diisi.")),
                    Length(max=sellers.ACCOUNT_NAME_MAX, message=_l("Paling banyak %(max)d karakter.",
                                                                    max=sellers.ACCOUNT_NAME_MAX))],
    )

    def tax_bank_data(self) -> sellers.TaxBankData:
        return sellers.TaxBankData(npwp=self.npwp.data, is_pkp=self.is_pkp.data == YES, bank=self.bank.data,
                                   bank_other=None, account_number=self.account_number.data,
                                   account_name=self.account_name.data)

    def offer_stored_bank(self, seller) -> None:
        """Keep a bank the seller set before the list as a choice (it stays valid until changed)."""
        self.bank.choices = options([("", _l("— Pilih bank —")), *payout_account.bank_choices(seller.bank_name)])

    def fill_from(self, seller) -> None:
        self.npwp.data = seller.npwp or ""
        self.is_pkp.data = YES if seller.is_pkp else NO
        self.offer_stored_bank(seller)
        self.bank.data = payout_account.selected_bank(seller.bank_name)
        self.account_number.data = seller.bank_account_number or ""
        self.account_name.data = seller.bank_account_name or ""


# --- step 4 and the documents page ------------------------------------------------------------


class NibDocumentForm(WizardForm):
    file = FileField(
        _l("Berkas NIB"),
        description=_l("PDF dari OSS atau foto dokumen NIB yang jelas terbaca. Maksimal 10 MB."),
        render_kw={"accept": ACCEPT_DOCUMENTS},
    )


class CertificateForm(WizardForm):
    kind = SelectField(
        _l("Jenis sertifikat"),
        choices=options([("", _l("— Pilih jenis —")), *sellers.CERTIFICATE_LABELS.items()]),
        validate_choice=False,
        validators=[DataRequired(message=_l("Pilih jenis dokumen dari daftar.")),
                    AnyOf(list(sellers.CERTIFICATE_LABELS), message=_l("Pilih jenis dokumen dari daftar."))],
    )
    number = StringField(
        _l("Nomor sertifikat"), filters=[_strip],
        description=_l("Seperti tertulis di sertifikat. Nomor P-IRT berisi paling sedikit 15 angka."),
        validators=[DataRequired(message=_l("Nomor dokumen wajib diisi.")),
                    Length(max=sellers.DOCUMENT_NUMBER_MAX, message=_l("Paling banyak %(max)d karakter.",
                                                                       max=sellers.DOCUMENT_NUMBER_MAX))],
    )
    issuer = StringField(
        _l("Penerbit (boleh dikosongkan)"), filters=[_strip],
        description=_l("Misalnya BPJPH, Dinas Kesehatan Kota Tangerang Selatan, BPOM."),
        validators=[Optional(), Length(max=sellers.ISSUER_MAX, message=_l("Paling banyak %(max)d karakter.",
                                                                         max=sellers.ISSUER_MAX))],
    )
    expires_on = LocalDateField(
        _l("Berlaku sampai (boleh dikosongkan)"),
        description=_l("Kosongkan bila sertifikat berlaku selamanya. Kami mengingatkan 30 hari sebelum habis."),
        validators=[Optional()],
    )
    file = FileField(
        _l("Berkas sertifikat"),
        description=_l("PDF atau foto sertifikat yang jelas terbaca. Maksimal 10 MB."),
        render_kw={"accept": ACCEPT_DOCUMENTS},
    )

    def validate_expires_on(self, field):
        if field.data is not None:
            try:
                sellers.check_expiry(field.data)
            except ValidationFailed as error:
                raise ValidationError(str(error.message)) from None

    def document_data(self) -> sellers.DocumentData:
        return sellers.DocumentData(kind=self.kind.data, number=self.number.data, issuer=self.issuer.data,
                                    expires_on=self.expires_on.data)


class ConfirmForm(WizardForm):
    """A button that changes something (delete a document, submit the wizard): CSRF only."""


# --- profile ----------------------------------------------------------------------------------


class ProfileForm(BusinessForm, LocationForm, TaxBankForm):
    """Everything from steps 1–3 plus the storefront extras, on one page."""

    description = TextAreaField(
        _l("Deskripsi usaha"),
        description=_l("Ceritakan usaha Anda: apa yang dibuat, sejak kapan, keunggulannya. Baris diawali “-” menjadi daftar."),
        validators=[Optional()],
    )
    logo = FileField(_l("Logo (foto persegi)"), description=_l("JPG, PNG atau WebP, maksimal 10 MB."),
                     render_kw={"accept": ACCEPT_IMAGES})
    banner = FileField(_l("Foto sampul toko"), description=_l("Foto lebar, misalnya suasana tempat usaha."),
                       render_kw={"accept": ACCEPT_IMAGES})
    low_stock_threshold = StringField(
        _l("Batas stok menipis"), filters=[_strip],
        description=_l("Anda diberi tanda di dasbor bila stok produk sama dengan atau kurang dari angka ini."),
        validators=[DataRequired(message=_l("Isi angka 0 sampai 100.000.")), Rule(sellers.clean_low_stock)],
    )

    def profile_data(self) -> sellers.ProfileData:
        return sellers.ProfileData(business=self.business_data(), location=self.location_data(),
                                   tax_bank=self.tax_bank_data(), description=self.description.data,
                                   low_stock_threshold=self.low_stock_threshold.data)

    def fill_from(self, seller) -> None:
        BusinessForm.fill_from(self, seller)
        LocationForm.fill_from(self, seller)
        TaxBankForm.fill_from(self, seller)
        self.description.data = seller.description or ""
        self.low_stock_threshold.data = str(seller.low_stock_threshold)
