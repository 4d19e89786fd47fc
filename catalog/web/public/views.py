"""Public pages anyone may open."""

from flask import render_template

from catalog.authz import public
from catalog.web.public import bp


@bp.get("/")
@public
def home():
    """The home page. Anyone."""
    return render_template("public/home.html")
