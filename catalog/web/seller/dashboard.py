"""Seller views: dashboard (being written)."""
