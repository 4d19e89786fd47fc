"""Admin: the category tree (create, edit, reorder, merge, delete)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import admin_required
from catalog.services import category_admin
from catalog.services.errors import DomainError, NotFound
from catalog.web.admin import bp
from catalog.web.admin.catalogue_forms import CategoryForm, ConfirmForm, MergeForm, MoveForm, optional_id, submit


def _category_or_404(category_id: int):
    try:
        return category_admin.get_category(category_id)
    except NotFound:
        abort(404)


def _status_of(error: DomainError) -> int:
    return 400 if error.field or getattr(error, "errors", None) else 409


def _to_tree(category_id: int):
    return redirect(url_for("admin.categories", _anchor=f"kategori-{category_id}"))


def _tree_page(problem: str | None = None, status: int = 200):
    return render_template("admin/category_tree.html", tree=category_admin.category_tree(), move_form=MoveForm(),
                           icons=category_admin.ICONS, problem=problem), status


@bp.get("/kategori")
@admin_required
def categories():
    """The two-level category tree with product counts and the buttons to reorder, edit, merge
    and delete. Admins only (403 for other roles)."""
    return _tree_page()


@bp.route("/kategori/baru", methods=["GET", "POST"])
@admin_required
def category_new():
    """Create a category (?induk=<id> proposes that top category as its parent). Admins only
    (403 for other roles). Refused input shows the form again with the messages, status 400."""
    form = CategoryForm()
    form.set_choices(category_admin.top_categories())
    status = 200
    if request.method == "GET":
        form.parent_id.data = optional_id(request.args.get("induk"))
        form.icon.data = "store"
    else:
        def created(category):
            flash(_("Kategori “%(name)s” dibuat.", name=category.name), "success")
            return _to_tree(category.id)

        done, status = submit(form, lambda: category_admin.create_category(form.to_data(), current_user.id), created)
        if done is not None:
            return done
    return render_template("admin/category_form.html", form=form, category=None), status


@bp.route("/kategori/<int:category_id>", methods=["GET", "POST"])
@admin_required
def category_edit(category_id: int):
    """Edit a category's names, icon, featured flag and parent. Admins only (403 for other
    roles); 404 for an unknown category. Refused input (a third level, a child with products
    made a top category, a taken name) shows the form again with the message, status 400."""
    category = _category_or_404(category_id)
    form = CategoryForm(obj=category) if request.method == "GET" else CategoryForm()
    form.set_choices(category_admin.top_categories(), category)
    status = 200
    if request.method == "POST":
        def saved(_category):
            flash(_("Perubahan kategori tersimpan."), "success")
            return _to_tree(category_id)

        done, status = submit(form, lambda: category_admin.update_category(category_id, form.to_data(), current_user.id),
                              saved)
        if done is not None:
            return done
        category = _category_or_404(category_id)
    return render_template("admin/category_form.html", form=form, category=category), status


@bp.post("/kategori/<int:category_id>/urutan")
@admin_required
def category_move(category_id: int):
    """Move a category one place up or down among its siblings (field `direction`: naik, turun).
    Admins only (403 for other roles); 404 for an unknown category. At either end of the list,
    or with a forged direction, the tree is shown again with the message (409 or 400)."""
    form = MoveForm()
    if not form.validate_on_submit():
        _category_or_404(category_id)
        return _tree_page(" ".join(str(m) for errors in form.errors.values() for m in errors), 400)
    try:
        category = category_admin.move_category(category_id, form.direction.data, current_user.id)
    except NotFound:
        abort(404)
    except DomainError as error:
        return _tree_page(str(error.message), _status_of(error))
    return _to_tree(category.id)


def _merge_targets(source):
    """The categories `source` may be merged into, as select choices grouped by top category."""
    tree = category_admin.category_tree()
    choices = [("", _("— Pilih kategori tujuan —"))]
    for top in tree:
        if source.parent_id is None and top.category.id != source.id:
            choices.append((top.category.id, _("%(name)s (kategori utama)", name=top.category.name)))
        for child in top.children:
            if child.category.id != source.id and top.category.id != source.id:
                choices.append((child.category.id, f"{top.category.name} › {child.category.name}"))
    return choices


@bp.route("/kategori/<int:category_id>/gabung", methods=["GET", "POST"])
@admin_required
def category_merge(category_id: int):
    """Merge a category into another: its products (and subcategories) move, then it is deleted.
    Admins only (403 for other roles); 404 for an unknown category. A refused merge (into itself,
    into its own child, one that would make a third level) shows the page again with the
    message, status 409 (400 without a target), and changes nothing."""
    category = _category_or_404(category_id)
    counts = category_admin.product_counts()
    form = MergeForm()
    form.target_id.choices = _merge_targets(category)
    status = 200
    if request.method == "POST":
        def merged(outcome):
            flash(_("“%(source)s” digabung ke “%(target)s”: %(n)s produk dipindahkan.",
                    source=outcome.source_name, target=outcome.target.name, n=outcome.products), "success")
            return _to_tree(outcome.target.id)

        done, status = submit(
            form, lambda: category_admin.merge_categories(category_id, form.target_id.data, current_user.id), merged)
        if done is not None:
            return done
        category = _category_or_404(category_id)
    return render_template("admin/category_merge.html", form=form, category=category,
                           products=counts.get(category.id, (0, 0))[0],
                           children=category_admin.child_names(category.id)), status


@bp.route("/kategori/<int:category_id>/hapus", methods=["GET", "POST"])
@admin_required
def category_delete(category_id: int):
    """GET asks for confirmation; POST deletes an empty category. Admins only (403 for other
    roles); 404 for an unknown category. A category with products or subcategories is refused
    with the page shown again, status 409, nothing changed."""
    category = _category_or_404(category_id)
    form = ConfirmForm()
    status = 200
    if request.method == "POST":
        def deleted(name):
            flash(_("Kategori “%(name)s” dihapus.", name=name), "success")
            return redirect(url_for("admin.categories"))

        done, status = submit(form, lambda: category_admin.delete_category(category_id, current_user.id), deleted)
        if done is not None:
            return done
        category = _category_or_404(category_id)
    counts = category_admin.product_counts()
    return render_template("admin/category_delete.html", form=form, category=category,
                           products=counts.get(category.id, (0, 0))[0],
                           children=category_admin.child_names(category.id)), status
