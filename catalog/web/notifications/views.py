"""Notification views (being written)."""
