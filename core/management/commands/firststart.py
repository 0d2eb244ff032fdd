"""First start of `make run`: demo data on an empty database and the `admin` superuser."""
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from shanghui.env import env


class Command(BaseCommand):
    """Load the demo when the database is empty and make sure the superuser `admin` exists."""

    help = "Load demo data on an empty database and create the superuser admin."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=300, help="people in the demo")

    def handle(self, *args, people, **options):
        from orgs.models import Organization

        if not Organization.objects.exists():
            self.stdout.write(_("正在生成演示数据（%(n)d 人）……") % {"n": people})
            call_command("demo", people=people, stdout=self.stdout)
            call_command("demo_work", stdout=self.stdout)
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            password = env("SHANGHUI_ADMIN_PASSWORD")
            generated = password is None
            password = password or secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", "", password)
            if generated:
                self.stdout.write(self.style.WARNING(_("已创建超级用户 admin，密码：%(p)s") % {"p": password}))
            else:
                self.stdout.write(_("已创建超级用户 admin，密码取自 SHANGHUI_ADMIN_PASSWORD。"))
