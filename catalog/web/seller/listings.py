"""Seller views: listings (being written)."""
