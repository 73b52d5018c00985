"""Validators: checks that flag spans of text. Import them from :mod:`guardkit`."""
