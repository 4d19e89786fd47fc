"""Seller views: imports (being written)."""
