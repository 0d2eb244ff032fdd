"""Deployment settings: `manage.py check --deploy` passes with DEBUG off and a real secret."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_passes_with_debug_off_and_a_real_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"HTTPS", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "shanghui.settings",
        "DEBUG": "0",
        "SECRET_KEY": "k3J!x9#qLm2$vT8@wZ5^nB7&rC4*hD6(eF1)gH0_yU-iO=pA+sS" * 2,
        "SHANGHUI_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "shanghui.example.org",
    })
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_come_from_the_environment(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="shanghui.settings", SHANGHUI_VAR_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3", ALLOWED_HOSTS="a.example,b.example")
    code = ("from django.conf import settings as s; "
            "print(s.DATABASES['default']['NAME'], s.ALLOWED_HOSTS, s.DEBUG, bool(s.SECRET_KEY))")
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert out.stdout.split() == [f"{tmp_path}/x.sqlite3", "['a.example',", "'b.example']", "False", "True"]
    assert (tmp_path / "secret_key").exists()


def test_the_wsgi_worker_freezes_what_it_loaded():
    """A granian worker keeps Django's modules and the search dictionaries out of the garbage collector's
    full collections (each walked ~400,000 objects inside some request: 20–300 ms)."""
    import gc
    import importlib

    import shanghui.wsgi
    from core import search

    gc.unfreeze()
    try:
        importlib.reload(shanghui.wsgi)  # what a worker runs when it loads the application
        assert callable(shanghui.wsgi.application)
        assert gc.get_freeze_count() > 100_000
        assert search.pinyin_tokens("王小明")  # frozen objects are kept and usable, only not scanned
    finally:
        gc.unfreeze()
