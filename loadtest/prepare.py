"""Prepare the load test's database: migrate, build LOAD_PEOPLE demo people once, and a load-test user.

Run by `make loadtest` with DATABASE_URL pointing at the load test's own PostgreSQL database.
Writes var/loadtest/credentials.json (username, password, API token, org code, sample ids).
"""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadtest.settings")


def main() -> None:
    """Bring the database to LOAD_PEOPLE people (building it only when it holds fewer) and write the credentials."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    from registry.models import Person

    wanted = int(os.environ.get("LOAD_PEOPLE", "1000000"))
    have = Person.objects.count()
    if have < wanted:
        if have:
            sys.exit(f"the load-test database holds {have} people, fewer than LOAD_PEOPLE={wanted}: "
                     f"drop it (dropdb) and run again")
        print(f"building {wanted:,} demo people (once; about ten minutes per million) …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "demo", "--people", str(wanted)], check=True)
    print(f"{Person.objects.count():,} people", flush=True)

    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from accounts import services as accounts
    from orgs.models import Organization

    root = Organization.objects.filter(depth=1).order_by("path").first()
    leaf = Organization.objects.filter(people__isnull=False).order_by("-depth", "path").first()
    password = secrets.token_urlsafe(12) + "Aa1!"
    User = get_user_model()
    user = User.objects.filter(username="loadtest").first()
    if user is None:
        user, _pw = accounts.create_user(by=None, username="loadtest", password=password, check_password=False)
    else:
        user.set_password(password)
        user.save()
    # Staff everywhere but without personal data, so the browsing mix needs no second factor.
    accounts.grant_role(by=None, user=user, org=root, role="staff", personal_data=False)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    # People the load-test user may open (its organization's subtree), spread over the table.
    mine = Person.objects.filter(org__path__startswith=root.path)
    ids = list(mine.order_by("?").values_list("pk", flat=True)[:500]) if have < 200_000 else \
        list(mine.filter(pk__in=[secrets.randbelow(Person.objects.order_by("-pk").values_list(
            "pk", flat=True).first()) + 1 for _ in range(800)]).values_list("pk", flat=True))
    # Sessions of secretaries who logged in earlier in the day: the mix browses, it does not log in
    # 360 times a minute (a login hashes the password with PBKDF2's 1,000,000 rounds: ~0.5 s of CPU).
    from django.conf import settings
    from django.test import Client

    sessions = []
    for _i in range(60):
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    names = list(Person.objects.filter(pk__in=ids[:200]).values_list("name", flat=True))
    out = ROOT / "var" / "loadtest"
    out.mkdir(parents=True, exist_ok=True)
    (out / "credentials.json").write_text(json.dumps({
        "username": "loadtest", "password": password, "token": token.key, "org": leaf.code, "org_pk": leaf.pk,
        "person_ids": ids, "names": names, "session_cookie": settings.SESSION_COOKIE_NAME, "sessions": sessions,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
