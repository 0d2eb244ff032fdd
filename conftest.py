"""Root conftest: Playwright's sync API runs an event loop in the test thread; Django must allow it."""
import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
