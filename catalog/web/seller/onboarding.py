"""Seller views: the registration wizard (/penjual/daftar/…), the profile and the documents.

The form views are exempt from the global CSRFProtect check so that a stale token gets a
readable message on the same form with what was typed kept (a phone that slept for a day);
their FlaskForm still refuses a missing or wrong token and nothing is changed then.
"""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from catalog import storage
from catalog.authz import current_seller, is_safe_next, public, seller_document_or_404, seller_profile_required
from catalog.extensions import csrf
from catalog.models.sellers import STATUS_REJECTED, STATUS_SUSPENDED, STATUS_VERIFIED
from catalog.models.users import ROLE_SELLER, ROLE_SHOPPER
from catalog.services import regions, sellers
from catalog.services.errors import DomainError, NotFound
from catalog.web.seller import bp
from catalog.web.seller.forms_onboarding import (
    ACTION_PICK_KECAMATAN,
    ACTION_PICK_KOTA,
    BusinessForm,
    CertificateForm,
    ConfirmForm,
    LocationForm,
    NewSellerForm,
    NibDocumentForm,
    ProfileForm,
    TaxBankForm,
)


@dataclass(frozen=True)
class Step:
    key: str
    endpoint: str
    label: object


STEPS = (
    Step("business", "seller.onboarding_business", _l("Usaha")),
    Step("location", "seller.onboarding_location", _l("Lokasi")),
    Step("tax", "seller.onboarding_tax", _l("Pajak & rekening")),
    Step("documents", "seller.onboarding_documents", _l("Dokumen")),
    Step("review", "seller.onboarding_review", _l("Periksa & kirim")),
)
STEP_BY_KEY = {step.key: step for step in STEPS}
PRIVATE_NO_STORE = "private, no-store"


def _step_context(key: str) -> dict:
    index = [step.key for step in STEPS].index(key)
    return {
        "steps": STEPS,
        "step": STEPS[index],
        "step_number": index + 1,
        "step_count": len(STEPS),
        "previous_step": STEPS[index - 1] if index else None,
    }


def _wizard_closed(seller) -> bool:
    """Verified and suspended sellers edit their data on the profile page, not in the wizard."""
    return seller is not None and seller.status in (STATUS_VERIFIED, STATUS_SUSPENDED)


def _to_next_step(seller):
    return redirect(url_for(STEP_BY_KEY[sellers.next_wizard_step(seller)].endpoint))


def _seller():
    """The logged-in seller (the audience decorator guarantees one)."""
    return current_seller()


# --- step 1 ------------------------------------------------------------------------------------


@bp.route("/daftar", methods=["GET", "POST"])
@csrf.exempt
@public
def onboarding_business():
    """Step 1: the business (and, for a visitor without an account, the account itself).

    Anyone may open it: visitors register here as sellers; a logged-in shopper who saves it
    becomes a seller. Officers and admins get 403. A seller who already started is sent to the
    next unfinished step unless ?ubah=1 (editing step 1); a verified one goes to the dashboard.
    """
    if current_user.is_authenticated and not current_user.has_role(ROLE_SHOPPER, ROLE_SELLER):
        abort(403)
    seller = current_seller()
    if _wizard_closed(seller):
        return redirect(url_for("seller.dashboard"))
    if seller is not None and request.method == "GET" and not request.args.get("ubah"):
        return _to_next_step(seller)

    anonymous = not current_user.is_authenticated
    form = NewSellerForm() if anonymous else BusinessForm()
    if request.method == "GET" and seller is not None:
        form.fill_from(seller)
    if form.validate_on_submit():
        try:
            if anonymous:
                seller = sellers.register_seller_account(
                    name=form.name.data, email=form.email.data, password=form.password.data,
                    business=form.business_data(), locale=str(get_locale() or "id"),
                )
                session.permanent = True  # as on /masuk: the session outlives the browser window
                login_user(seller.user)
            else:
                seller = sellers.save_business_step(current_user._get_current_object(), form.business_data())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Data usaha tersimpan."), "success")
            return redirect(url_for("seller.onboarding_location"))
    return render_template("seller/onboarding/business.html", form=form, seller=seller, anonymous=anonymous,
                           scale_limits=sellers.SCALE_LIMITS, **_step_context("business"))


# --- step 2 ------------------------------------------------------------------------------------


def _location_choices(form: LocationForm) -> None:
    """Fill the drop-downs from what is chosen so far (the page works without JavaScript)."""
    kota = form.kota.data or ""
    kecamatan_choices = regions.choices(kota) if regions.get(kota) else []
    kecamatan = form.kecamatan.data if form.kecamatan.data in dict(kecamatan_choices) else ""
    kelurahan_choices = regions.choices(kecamatan) if kecamatan else []
    form.set_choices(regions.kota_choices(), kecamatan_choices, kelurahan_choices)


@bp.route("/daftar/lokasi", methods=["GET", "POST"])
@csrf.exempt
@seller_profile_required
def onboarding_location():
    """Step 2: kota → kecamatan → kelurahan and the street address. Sellers with a started
    profile (others: 403; without a profile: step 1). Verified sellers go to the profile page."""
    seller = _seller()
    if _wizard_closed(seller):
        return redirect(url_for("seller.profile"))
    form = LocationForm()
    if request.method == "GET":
        form.fill_from(seller)
    refresh = request.form.get("pilih") in (ACTION_PICK_KOTA, ACTION_PICK_KECAMATAN)
    _location_choices(form)
    if request.method == "POST" and not refresh and form.validate_on_submit():
        try:
            sellers.save_location_step(seller, form.location_data())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Lokasi usaha tersimpan."), "success")
            return redirect(url_for("seller.onboarding_tax"))
    return render_template("seller/onboarding/location.html", form=form, seller=seller,
                           **_step_context("location"))


# --- step 3 ------------------------------------------------------------------------------------


@bp.route("/daftar/pajak-rekening", methods=["GET", "POST"])
@csrf.exempt
@seller_profile_required
def onboarding_tax():
    """Step 3: NPWP and PKP (optional), the payout bank account. Sellers with a started profile
    (others: 403). Verified sellers go to the profile page."""
    seller = _seller()
    if _wizard_closed(seller):
        return redirect(url_for("seller.profile"))
    form = TaxBankForm()
    form.offer_stored_bank(seller)
    if request.method == "GET":
        form.fill_from(seller)
    if form.validate_on_submit():
        try:
            sellers.save_tax_bank_step(seller, form.tax_bank_data(), actor_id=current_user.id)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Data pajak dan rekening tersimpan."), "success")
            return redirect(url_for("seller.onboarding_documents"))
    return render_template("seller/onboarding/tax.html", form=form, seller=seller, **_step_context("tax"))


# --- step 4 and the documents page --------------------------------------------------------------

UPLOAD_NIB = "nib"
UPLOAD_CERTIFICATE = "sertifikat"


def _handle_document_upload(seller):
    """Both document forms on one page; `unggah` says which one was posted. Returns
    (nib_form, certificate_form, saved)."""
    which = request.form.get("unggah") if request.method == "POST" else None
    nib_form = NibDocumentForm(prefix="nib") if which == UPLOAD_NIB else NibDocumentForm(prefix="nib", formdata=None)
    cert_form = (CertificateForm(prefix="cert") if which == UPLOAD_CERTIFICATE
                 else CertificateForm(prefix="cert", formdata=None))
    form = nib_form if which == UPLOAD_NIB else cert_form if which == UPLOAD_CERTIFICATE else None
    if form is None or not form.validate_on_submit():
        return nib_form, cert_form, False
    try:
        if which == UPLOAD_NIB:
            data = sellers.DocumentData(kind="nib", number=None, issuer=None, expires_on=None)
        else:
            data = cert_form.document_data()
        sellers.add_document(seller, data, form.file.data, actor_id=current_user.id)
    except DomainError as error:
        form.add_domain_error(error)
        return nib_form, cert_form, False
    return nib_form, cert_form, True


def _documents_context(seller) -> dict:
    return {
        "documents": sellers.documents_with_status(seller),
        "labels": sellers.DOCUMENT_LABELS,
        "delete_form": ConfirmForm(),
    }


@bp.route("/daftar/dokumen", methods=["GET", "POST"])
@csrf.exempt
@seller_profile_required
def onboarding_documents():
    """Step 4: upload the NIB document and certificates, list and delete them. Sellers with a
    started profile (others: 403). Verified sellers go to the documents page."""
    seller = _seller()
    if _wizard_closed(seller):
        return redirect(url_for("seller.documents"))
    nib_form, cert_form, saved = _handle_document_upload(seller)
    if saved:
        flash(_("Dokumen tersimpan."), "success")
        return redirect(url_for("seller.onboarding_documents"))
    return render_template("seller/onboarding/documents.html", seller=seller, nib_form=nib_form,
                           cert_form=cert_form, **_documents_context(seller), **_step_context("documents"))


@bp.route("/dokumen", methods=["GET", "POST"])
@csrf.exempt
@seller_profile_required
def documents():
    """The seller's documents with their status (valid, expiring within 30 days, expired),
    add and delete. Sellers with a started profile; other roles 403, anonymous → log-in."""
    seller = _seller()
    nib_form, cert_form, saved = _handle_document_upload(seller)
    if saved:
        flash(_("Dokumen tersimpan."), "success")
        return redirect(url_for("seller.documents"))
    return render_template("seller/documents.html", seller=seller, nib_form=nib_form, cert_form=cert_form,
                           **_documents_context(seller))


@bp.post("/dokumen/<int:document_id>/hapus")
@csrf.exempt
@seller_profile_required
def document_delete(document_id: int):
    """Delete one of the seller's own documents (POST with the form's CSRF token), then go back
    to ?next= (same site) or the documents page. Another seller's document id answers 404."""
    document = seller_document_or_404(document_id)
    form = ConfirmForm()
    target = request.form.get("next", "")
    back = target if is_safe_next(target) else url_for("seller.documents")
    if not form.validate_on_submit():
        flash(_("Formulir sudah kedaluwarsa atau tidak sah. Silakan coba lagi."), "error")
        return redirect(back)
    try:
        sellers.delete_document(_seller(), document.id, actor_id=current_user.id)
    except NotFound:
        abort(404)
    flash(_("Dokumen dihapus."), "success")
    return redirect(back)


def send_seller_document(document):
    """The stored file of a document as a private download (shared with the admin's route)."""
    try:
        key = sellers.document_key(document)
    except NotFound:
        abort(404)
    response = storage.send(key, mimetype=sellers.document_mimetype(document), as_attachment=True,
                            download_name=sellers.document_download_name(document))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = PRIVATE_NO_STORE
    # Should a browser open it anyway, nothing in the file may run.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@bp.get("/dokumen/<int:document_id>/berkas")
@seller_profile_required
def document_file(document_id: int):
    """Download the file of one of the seller's own documents (as an attachment, never shown
    inline). Another seller's document id, or a document without a file, answers 404."""
    return send_seller_document(seller_document_or_404(document_id))


# --- step 5 ------------------------------------------------------------------------------------


@bp.route("/daftar/periksa", methods=["GET", "POST"])
@csrf.exempt
@seller_profile_required
def onboarding_review():
    """Step 5: the summary and checklist; POST sends the data for verification (again, after a
    rejection). Sellers with a started profile (others: 403). Verified sellers go to the dashboard."""
    seller = _seller()
    if _wizard_closed(seller):
        return redirect(url_for("seller.dashboard"))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            sellers.submit_for_verification(seller, actor_id=current_user.id)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Terima kasih! Data usaha Anda sudah dikirim ke Dinas untuk diverifikasi."), "success")
            return redirect(url_for("seller.onboarding_review"))
    checklist = sellers.profile_checklist(seller)
    return render_template(
        "seller/onboarding/review.html", form=form, seller=seller, checklist=checklist,
        missing=[item for item in checklist if item.required and not item.done],
        completeness=sellers.completeness_pct(seller), documents=sellers.documents_with_status(seller),
        labels=sellers.DOCUMENT_LABELS, scale_limits=sellers.SCALE_LIMITS,
        rejected=seller.status == STATUS_REJECTED, waiting=seller.submitted_at is not None
        and seller.status != STATUS_REJECTED, **_step_context("review"),
    )


# --- profile -----------------------------------------------------------------------------------


@bp.route("/profil", methods=["GET", "POST"])
@csrf.exempt
@seller_profile_required
def profile():
    """Edit the whole seller profile (business, location, tax and bank, description, logo,
    banner, low-stock threshold). Sellers with a started profile; shoppers and officers 403,
    anonymous → log-in, a seller without a profile → step 1 of the wizard."""
    seller = _seller()
    form = ProfileForm()
    form.offer_stored_bank(seller)
    if request.method == "GET":
        form.fill_from(seller)
    refresh = request.form.get("pilih") in (ACTION_PICK_KOTA, ACTION_PICK_KECAMATAN)
    _location_choices(form)
    if request.method == "POST" and not refresh and form.validate_on_submit():
        try:
            sellers.update_profile(seller, form.profile_data(), actor_id=current_user.id,
                                   logo=form.logo.data, banner=form.banner.data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Profil toko tersimpan."), "success")
            return redirect(url_for("seller.profile"))
    return render_template("seller/profile.html", form=form, seller=seller, scale_limits=sellers.SCALE_LIMITS,
                           completeness=sellers.completeness_pct(seller),
                           checklist=sellers.profile_checklist(seller))
