"""Helpers for the tests that are also run as scripts (``python tests/support/NAME.py``)."""
