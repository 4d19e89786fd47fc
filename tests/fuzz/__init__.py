"""Property tests that post generated input to every form of the site (see test_forms_fuzz.py)."""
