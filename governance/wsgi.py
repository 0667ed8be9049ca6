"""The WSGI entry point that gunicorn (or any WSGI server, and runserver) serves. With DEBUG
off it refuses to start on the built-in SECRET_KEY; commands (migrate, import_registry,
export_registry, load_demo) and the tests never come through here and keep working."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from governance.checks import BUILTIN_KEY, serves_on_builtin_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
if serves_on_builtin_key():
    raise ImproperlyConfigured(BUILTIN_KEY)
application = get_wsgi_application()
