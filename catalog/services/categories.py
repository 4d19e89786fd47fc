"""The platform's starting category tree (catalog/data/categories.json), loaded idempotently."""

import json
from pathlib import Path

from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Category

DEFAULT_TREE = Path(__file__).resolve().parents[1] / "data" / "categories.json"


def default_tree(path: Path = DEFAULT_TREE) -> list[dict]:
    """The two-level tree as written in the JSON file: top categories with their `children`."""
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def ensure_default_categories(path: Path = DEFAULT_TREE) -> int:
    """Create every category of the default tree that does not exist yet (matched by slug) and
    return how many were created. Existing rows are left as they are, so a name or icon the
    Dinas has edited survives a second run."""
    tree = default_tree(path)
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    created = 0
    for top_position, top in enumerate(tree):
        parent = existing.get(top["slug"])
        if parent is None:
            parent = _new_category(top, top_position, parent=None)
            existing[parent.slug] = parent
            created += 1
        for position, child in enumerate(top.get("children", ())):
            if child["slug"] not in existing:
                existing[child["slug"]] = _new_category(child, position, parent=parent)
                created += 1
    db.session.commit()
    return created


def _new_category(entry: dict, position: int, parent: Category | None) -> Category:
    category = Category(
        name=entry["name"],
        name_en=entry.get("name_en", ""),
        slug=entry["slug"],
        icon=entry.get("icon", ""),
        position=position,
        is_featured=bool(entry.get("is_featured", False)),
        parent=parent,
    )
    db.session.add(category)
    return category
