"""Sanitizers: checks that rewrite text into a safer form. Import them from :mod:`guardkit`."""
