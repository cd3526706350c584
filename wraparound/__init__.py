"""Wraparound: the shared system a children's and family services partnership runs."""

__version__ = "0.1.0"
