"""WSGI entry point used by `wraparound serve` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
application = get_wsgi_application()
