"""Project-wide pytest configuration: browser settings and shared fixtures."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop; Django's async-safety check would refuse ORM calls
# made by test code around it. Tests only: never set in the product.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
