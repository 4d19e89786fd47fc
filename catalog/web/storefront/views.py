"""Storefront views (being written)."""
