"""Needs identification against the Supporting Families outcomes, and the targeting picture."""
