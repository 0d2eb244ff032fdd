"""WSGI entry point, served by granian in `make run` (each worker process imports it)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanghui.settings")
application = get_wsgi_application()

from shanghui.startup import freeze_loaded_objects  # noqa: E402  (after Django is set up)

freeze_loaded_objects()
