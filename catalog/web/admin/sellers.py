"""Admin: seller verification (being written)."""
