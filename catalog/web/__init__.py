"""The HTTP edge: one package per blueprint (views.py thin routes, forms.py WTForms)."""
