"""Seller views: onboarding (being written)."""
