"""Who may call each view, and scoped getters that fetch objects only within a user's reach.

Every view declares its audience with exactly one decorator from here; a test walks the URL
map and fails on any endpoint that declares nothing.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from catalog.models.users import ROLE_ADMIN, ROLE_OFFICER, ROLE_SELLER, ROLE_SHOPPER, ROLES

AUDIENCE_ATTR = "_audience"


def _mark(view: Callable, audience: str) -> Callable:
    setattr(view, AUDIENCE_ATTR, audience)
    return view


def public(view: Callable) -> Callable:
    """Anyone, logged in or not."""
    return _mark(view, "public")


def anonymous_only(view: Callable) -> Callable:
    """Pages like /masuk and /daftar: a logged-in user is sent home instead."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated:
            return redirect(url_for("public.home"))
        return view(*args, **kwargs)

    return _mark(wrapper, "anonymous")


def login_required(view: Callable) -> Callable:
    """Any logged-in user, whatever the role."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _to_login()
        return view(*args, **kwargs)

    return _mark(wrapper, "login")


def roles_required(*roles: str) -> Callable:
    """Logged-in users with one of `roles`; others get 403, anonymous users the login page."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, "roles:" + ",".join(roles))

    return decorator


def _to_login():
    from catalog.extensions import login_manager

    return login_manager.unauthorized()


def audience_of(view: Callable) -> str | None:
    return getattr(view, AUDIENCE_ATTR, None)


shopper_required = roles_required(ROLE_SHOPPER)
seller_required = roles_required(ROLE_SELLER)
officer_required = roles_required(ROLE_OFFICER)
admin_required = roles_required(ROLE_ADMIN)


def current_membership():
    """The logged-in officer's confirmed agency membership, or None."""
    if not current_user.is_authenticated or not current_user.has_role(ROLE_OFFICER):
        return None
    member = current_user.membership
    return member if member is not None and member.is_confirmed else None


def agency_officer_required(*duties: str) -> Callable:
    """A logged-in officer whose place in an agency the Dinas has confirmed, and when `duties`
    are named, with one of them. An officer still waiting may browse the catalogue but gets 403
    here (the page says why); other roles 403; anonymous users the log-in page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            if not current_user.has_role(ROLE_OFFICER):
                abort(403)
            member = current_membership()
            if member is None:
                abort(403, description="membership")
            if duties and member.duty not in duties:
                abort(403, description="duty")
            return view(*args, **kwargs)

        return _mark(wrapper, "officer:" + (",".join(duties) or "any"))

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths are allowed as ?next= targets (no //evil.com, no schemes)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    return not any(ch in target for ch in "\r\n\t")


def next_url(default_endpoint: str = "public.home") -> str:
    target = request.values.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


# --- sellers -------------------------------------------------------------------------------

def current_seller():
    """The Seller of the logged-in user, or None (not a seller, or the wizard not started)."""
    if not current_user.is_authenticated or not current_user.has_role(ROLE_SELLER):
        return None
    return current_user.seller


def seller_profile_required(view: Callable) -> Callable:
    """A logged-in seller who has started the registration wizard; one who has not is sent to
    its first step, other roles get 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _to_login()
        if not current_user.has_role(ROLE_SELLER):
            abort(403)
        if current_user.seller is None:
            return redirect(url_for("seller.onboarding_business"))
        return view(*args, **kwargs)

    return _mark(wrapper, "roles:seller")


def seller_product_or_404(product_id: int):
    """One of the current seller's own products; anyone else's id answers 404 (not 403), so
    ids of other sellers' drafts are not even confirmed to exist."""
    from catalog.extensions import db
    from catalog.models import Product

    seller = current_seller()
    product = db.session.get(Product, product_id) if seller is not None else None
    if product is None or product.seller_id != seller.id:
        abort(404)
    return product


def seller_document_or_404(document_id: int):
    """One of the current seller's own documents (certificates, NIB proof)."""
    from catalog.extensions import db
    from catalog.models import SellerDocument

    seller = current_seller()
    document = db.session.get(SellerDocument, document_id) if seller is not None else None
    if document is None or document.seller_id != seller.id:
        abort(404)
    return document
