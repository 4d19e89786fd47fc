"""The category tree in the Dinas console: the tree page with counts, create, edit, reorder,
merge (products follow, in search too) and delete, each with its audit event, and every
refusal the issue names (merge into itself or its own child, delete with products, a third
level) answered with a message and nothing changed."""

import pytest
from sqlalchemy import func, select

from catalog import search
from catalog.extensions import db
from catalog.models import AuditEvent, Category, Product
from catalog.search import SearchRequest
from catalog.services import category_admin
from catalog.services.category_admin import CategoryData, CategoryInvalid
from catalog.services.errors import InvalidTransition, NotFound
from tests.catalogue_care_factories import log_in, text_of
from tests.conftest import csrf_token_from
from tests.factories import gen_category, gen_product, gen_seller, gen_user
from tests.querycount import count_queries


@pytest.fixture
def tree(app):
    """Makanan (Keripik, Kue) and Minuman (Kopi), with products in Keripik and Kopi."""
    makanan = gen_category("Makanan", slug="makanan", icon="makanan", position=0)
    minuman = gen_category("Minuman", slug="minuman", icon="minuman", position=1)
    keripik = gen_category("Keripik", parent=makanan, slug="keripik", icon="keripik", position=0)
    kue = gen_category("Kue", parent=makanan, slug="kue", icon="kue", position=1)
    kopi = gen_category("Kopi", parent=minuman, slug="kopi", icon="kopi", position=0)
    seller = gen_seller(business_name="Dapur Bu Sri")
    products = [gen_product(seller=seller, category=keripik, title=f"Keripik Singkong {n}") for n in range(3)]
    products.append(gen_product(seller=seller, category=kopi, title="Kopi Robusta Tangerang"))
    db.session.commit()
    return {"makanan": makanan.id, "minuman": minuman.id, "keripik": keripik.id, "kue": kue.id, "kopi": kopi.id,
            "products": [p.id for p in products]}


def category(category_id) -> Category | None:
    db.session.expire_all()
    return db.session.get(Category, category_id)


def events(action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def category_ids_of(product_ids) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Product.category_id).where(Product.id.in_(product_ids))))


def post(client, url, **data):
    return client.post(url, data=data)


# --- the tree page ---------------------------------------------------------------------------------


def test_tree_shows_both_levels_with_product_counts(admin_client, tree):
    response = admin_client.get("/admin/kategori")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "Makanan" in text and "Keripik" in text and "Kopi" in text
    assert "3 produk (3 aktif)" in text  # Keripik
    assert "3 produk di 2 subkategori" in text  # Makanan


def test_tree_counts_products_in_one_aggregate_whatever_the_size(app, admin_client, tree):
    admin_client.get("/admin/kategori")
    with count_queries(app) as few:
        admin_client.get("/admin/kategori")
    parent = category(tree["makanan"])
    for _ in range(5):
        gen_product(category=gen_category(parent=parent))
    db.session.commit()
    with count_queries(app) as many:
        assert admin_client.get("/admin/kategori").status_code == 200
    assert many.count == few.count


# --- create and edit -------------------------------------------------------------------------------


def test_admin_creates_a_child_category_with_a_unique_slug(admin_client, tree, admin):
    response = post(admin_client, "/admin/kategori/baru", name="Keripik", name_en="Chips",
                    parent_id=str(tree["minuman"]), icon="makanan")
    assert response.status_code == 302
    created = db.session.scalar(select(Category).where(Category.parent_id == tree["minuman"], Category.name == "Keripik"))
    assert created.slug == "keripik-2"  # "keripik" is taken by the child of Makanan
    assert created.position == 1  # last after Kopi
    event = events("category.created")[-1]
    assert event.actor_id == admin.id and event.object_id == str(created.id)
    assert event.after["parent_id"] == tree["minuman"]


def test_create_refuses_a_third_level_and_a_taken_name(admin_client, tree):
    before = audit_count()
    response = post(admin_client, "/admin/kategori/baru", name="Keripik Pedas", parent_id=str(tree["keripik"]),
                    icon="makanan")
    assert response.status_code == 400
    assert "Kategori induk harus kategori utama" in text_of(response.get_data(as_text=True))
    response = post(admin_client, "/admin/kategori/baru", name="  keripik ", parent_id=str(tree["makanan"]), icon="makanan")
    assert response.status_code == 400
    assert "Sudah ada kategori bernama “keripik” di tingkat ini" in text_of(response.get_data(as_text=True))
    response = post(admin_client, "/admin/kategori/baru", name="Oleh-oleh", icon="naga")
    assert response.status_code == 400
    assert "Pilih ikon dari daftar." in text_of(response.get_data(as_text=True))
    assert audit_count() == before
    assert db.session.scalar(select(func.count(Category.id))) == 5


def test_edit_saves_names_icon_featured_and_keeps_the_slug(admin_client, tree, admin):
    response = post(admin_client, f"/admin/kategori/{tree['keripik']}", name="Keripik & Camilan",
                    name_en="Chips & Snacks", parent_id=str(tree["makanan"]), icon="oleh-oleh", is_featured="y")
    assert response.status_code == 302
    saved = category(tree["keripik"])
    assert (saved.name, saved.name_en, saved.icon, saved.slug) == ("Keripik & Camilan", "Chips & Snacks", "oleh-oleh",
                                                                 "keripik")
    event = events("category.updated")[-1]
    assert event.before["name"] == "Keripik" and event.after["name"] == "Keripik & Camilan"
    assert event.actor_id == admin.id


def test_edit_keeps_an_icon_outside_the_list_that_the_category_already_had(admin_client, tree):
    page = admin_client.get(f"/admin/kategori/{tree['keripik']}").get_data(as_text=True)
    assert '<option selected value="keripik">keripik (ikon sekarang)' in page
    assert f'<option selected value="{tree["makanan"]}">' in page
    response = post(admin_client, f"/admin/kategori/{tree['keripik']}", name="Keripik", parent_id=str(tree["makanan"]),
                    icon="keripik")
    assert response.status_code == 302


def test_moving_a_top_category_with_children_under_another_is_refused(admin_client, tree):
    before = audit_count()
    response = post(admin_client, f"/admin/kategori/{tree['makanan']}", name="Makanan", parent_id=str(tree["minuman"]),
                    icon="makanan")
    assert response.status_code == 400
    assert "punya 2 subkategori" in text_of(response.get_data(as_text=True))
    assert category(tree["makanan"]).parent_id is None
    assert audit_count() == before


def test_a_child_with_products_cannot_become_a_top_category(app, tree, admin):
    with pytest.raises(CategoryInvalid) as refused:
        category_admin.update_category(tree["keripik"], CategoryData("Keripik", icon="keripik"), admin.id)
    assert "berisi 3 produk" in str(refused.value.errors["parent_id"])
    assert category(tree["keripik"]).parent_id == tree["makanan"]


def test_moving_a_child_to_another_parent_closes_the_gap_and_reindexes(app, tree, admin):
    category_admin.update_category(tree["keripik"], CategoryData("Keripik", icon="keripik", parent_id=tree["minuman"]),
                                   admin.id)
    assert category(tree["keripik"]).parent_id == tree["minuman"]
    assert category(tree["keripik"]).position == 1
    assert category(tree["kue"]).position == 0
    # The search documents carry the top category: "Minuman" now finds the chips.
    found = search.search(SearchRequest(category_ids=frozenset({tree["keripik"], tree["kopi"]}), per_page=50))
    assert {hit.product_id for hit in found.hits} == set(tree["products"])


def test_unknown_category_is_404(admin_client, tree):
    for url in ("/admin/kategori/99999", "/admin/kategori/99999/gabung", "/admin/kategori/99999/hapus"):
        assert admin_client.get(url).status_code == 404
    assert admin_client.post("/admin/kategori/99999/urutan", data={"direction": "naik"}).status_code == 404
    assert admin_client.post("/admin/kategori/99999/hapus").status_code == 404
    assert admin_client.post("/admin/kategori/99999/gabung", data={"target_id": tree["kue"]}).status_code == 404


# --- reorder ---------------------------------------------------------------------------------------


def test_moving_down_swaps_with_the_next_sibling_and_renumbers(admin_client, tree, admin):
    extra = gen_category("Sambal", parent=category(tree["makanan"]), slug="sambal", position=7)  # a gap
    db.session.commit()
    response = post(admin_client, f"/admin/kategori/{tree['keripik']}/urutan", direction="turun")
    assert response.status_code == 302
    order = [c.name for c in sorted(category(tree["makanan"]).children, key=lambda c: c.position)]
    assert order == ["Kue", "Keripik", "Sambal"]
    assert [c.position for c in sorted(category(tree["makanan"]).children, key=lambda c: c.position)] == [0, 1, 2]
    assert category(extra.id).position == 2
    event = events("category.reordered")[-1]
    assert event.object_id == str(tree["keripik"]) and event.after["direction"] == "turun"


def test_moving_past_either_end_is_refused(admin_client, tree):
    before = audit_count()
    response = post(admin_client, f"/admin/kategori/{tree['makanan']}/urutan", direction="naik")
    assert response.status_code == 409
    assert "sudah di ujung urutan" in text_of(response.get_data(as_text=True))
    response = post(admin_client, f"/admin/kategori/{tree['makanan']}/urutan", direction="samping")
    assert response.status_code == 400
    assert audit_count() == before


# --- merge -----------------------------------------------------------------------------------------


def test_merging_a_child_moves_its_products_and_search_follows(admin_client, tree, admin):
    keripik_products = tree["products"][:3]
    response = post(admin_client, f"/admin/kategori/{tree['keripik']}/gabung", target_id=str(tree["kue"]))
    assert response.status_code == 302
    assert category(tree["keripik"]) is None
    assert category_ids_of(keripik_products) == {tree["kue"]}
    event = events("category.merged")[-1]
    assert event.object_id == str(tree["keripik"]) and event.after["into"] == tree["kue"]
    assert event.after["products"] == 3 and event.actor_id == admin.id
    # The index followed the bulk UPDATE: filtering by the target finds the moved products.
    found = search.search(SearchRequest(category_ids=frozenset({tree["kue"]}), per_page=50))
    assert {hit.product_id for hit in found.hits} == set(keripik_products)
    found = search.search(SearchRequest(category_ids=frozenset({tree["keripik"]}), per_page=50))
    assert found.hits == []
    assert category(tree["kue"]).position == 0  # the gap Keripik left is closed


def test_merging_a_top_category_moves_its_children_under_the_target(app, tree, admin):
    outcome = category_admin.merge_categories(tree["minuman"], tree["makanan"], admin.id)
    assert outcome.children == 1
    kopi = category(tree["kopi"])
    assert kopi.parent_id == tree["makanan"] and kopi.position == 2
    assert category(tree["minuman"]) is None
    # Kopi's product now belongs to Makanan in search (the top-category facet).
    found = search.search(SearchRequest(category_ids=frozenset({tree["kopi"]})))
    assert [hit.product_id for hit in found.hits] == [tree["products"][3]]
    # (facets count beside the category filter: all four products are now under Makanan)
    assert found.facets[search.FACET_PARENT] == {tree["makanan"]: 4}


@pytest.mark.parametrize("source, target, message", [
    ("keripik", "keripik", "tidak dapat digabung ke dirinya sendiri"),
    ("makanan", "keripik", "tidak dapat digabung ke subkategorinya sendiri"),
    ("minuman", "keripik", "akan membuat tingkat ketiga"),
    ("keripik", "minuman", "hanya dapat digabung ke subkategori lain"),
])
def test_refused_merges_change_nothing(admin_client, tree, source, target, message):
    before = audit_count()
    response = post(admin_client, f"/admin/kategori/{tree[source]}/gabung", target_id=str(tree[target]))
    assert response.status_code == 409
    assert message in text_of(response.get_data(as_text=True))
    assert audit_count() == before
    assert all(category(tree[name]) is not None for name in ("makanan", "minuman", "keripik", "kue", "kopi"))
    assert category_ids_of(tree["products"][:3]) == {tree["keripik"]}


def test_merge_without_a_target_asks_for_one(admin_client, tree):
    response = post(admin_client, f"/admin/kategori/{tree['kue']}/gabung", target_id="")
    assert response.status_code == 400
    assert "Pilih kategori tujuan." in text_of(response.get_data(as_text=True))


def test_merge_into_an_unknown_category_is_refused_not_500(app, tree, admin):
    with pytest.raises(Exception) as refused:
        category_admin.merge_categories(tree["kue"], 99999, admin.id)
    assert "Kategori tujuan tidak ditemukan" in str(refused.value)
    with pytest.raises(NotFound):
        category_admin.merge_categories(99999, tree["kue"], admin.id)


def test_merge_page_offers_only_targets_that_can_work(admin_client, tree):
    page = admin_client.get(f"/admin/kategori/{tree['keripik']}/gabung").get_data(as_text=True)
    assert "Makanan › Kue" in page and "Minuman › Kopi" in page
    assert "(kategori utama)" not in page  # a child's products go to a child
    assert "Makanan › Keripik" not in page


# --- delete ----------------------------------------------------------------------------------------


def test_deleting_an_empty_category(admin_client, tree, admin):
    response = post(admin_client, f"/admin/kategori/{tree['kue']}/hapus")
    assert response.status_code == 302
    assert category(tree["kue"]) is None
    event = events("category.deleted")[-1]
    assert event.object_id == str(tree["kue"]) and event.before["name"] == "Kue" and event.actor_id == admin.id


def test_deleting_a_category_with_products_is_refused(admin_client, tree):
    before = audit_count()
    response = post(admin_client, f"/admin/kategori/{tree['keripik']}/hapus")
    assert response.status_code == 409
    assert "masih berisi 3 produk" in text_of(response.get_data(as_text=True))
    assert category(tree["keripik"]) is not None
    assert audit_count() == before


def test_deleting_a_category_with_children_is_refused(app, tree, admin):
    with pytest.raises(InvalidTransition) as refused:
        category_admin.delete_category(tree["makanan"], admin.id)
    assert "masih punya 2 subkategori" in str(refused.value)
    assert category(tree["makanan"]) is not None


def test_delete_confirmation_page_explains_a_category_with_products(admin_client, tree):
    text = text_of(admin_client.get(f"/admin/kategori/{tree['keripik']}/hapus").get_data(as_text=True))
    assert "Kategori ini berisi 3 produk." in text
    assert "Gabungkan ke kategori lain" in text


# --- who may -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["shopper", "seller"])
def test_non_admins_get_403(client, tree, role):
    user = gen_seller().user if role == "seller" else gen_user(role=role)
    db.session.commit()
    log_in(client, user)
    assert client.get("/admin/kategori").status_code == 403
    assert client.post(f"/admin/kategori/{tree['kue']}/hapus").status_code == 403
    assert category(tree["kue"]) is not None


def test_a_post_needs_the_pages_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = gen_user(role="admin")
        empty = gen_category("Kosong", slug="kosong")
        db.session.commit()
        empty_id = empty.id
        client = app.test_client()
        log_in(client, admin)
    response = client.post(f"/admin/kategori/{empty_id}/hapus")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Category, empty_id) is not None
    page = client.get(f"/admin/kategori/{empty_id}/hapus").get_data(as_text=True)
    assert client.post(f"/admin/kategori/{empty_id}/hapus", data={"csrf_token": csrf_token_from(page)}).status_code == 302
    with app.app_context():
        assert db.session.get(Category, empty_id) is None
