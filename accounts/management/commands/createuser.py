"""`manage.py createuser USERNAME [--password P] [--email E] [--superuser] [--format json]`."""
import getpass
import json
import sys

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import services


def error_text(error: ValidationError) -> str:
    """All messages of a ValidationError on one line."""
    return "；".join(error.messages)


class Command(BaseCommand):
    """Create a login. The password comes from --password, a prompt, or is generated and printed."""

    help = _("创建用户。密码取自 --password；交互终端下提示输入；否则自动生成并打印。")

    def add_arguments(self, parser):
        """USERNAME, --password, --email, --superuser, --no-input and --format."""
        parser.add_argument("username", help=_("用户名"))
        parser.add_argument("--password", help=_("密码（省略时提示输入或自动生成）"))
        parser.add_argument("--email", default="", help=_("电子邮箱"))
        parser.add_argument("--superuser", action="store_true", help=_("创建超级管理员"))
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help=_("不提示输入，未给密码时自动生成"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))

    def _prompt_password(self) -> str | None:
        password = getpass.getpass(_("密码（留空则自动生成）："))
        if not password:
            return None
        if getpass.getpass(_("再次输入密码：")) != password:
            raise CommandError(_("两次输入的密码不一致。"))
        return password

    def handle(self, *args, username, password, email, superuser, interactive, format, **options):
        """Create the user through accounts.services.create_user (by=None: the command line)."""
        as_json = format == "json"
        if password is None and interactive and not as_json and sys.stdin.isatty():
            password = self._prompt_password()
        generated = password is None
        try:
            user, password = services.create_user(by=None, username=username, password=password, email=email,
                                                  is_superuser=superuser)
        except (ValidationError, PermissionDenied) as e:
            raise CommandError(error_text(e) if isinstance(e, ValidationError) else str(e)) from None
        if as_json:
            self.stdout.write(json.dumps({
                "username": user.get_username(), "email": user.email, "superuser": user.is_superuser,
                "password": password if generated else None,
            }, ensure_ascii=False))
            return
        self.stdout.write(self.style.SUCCESS(_("已创建用户 %(u)s。") % {"u": user.get_username()}))
        if generated:
            self.stdout.write(self.style.WARNING(_("自动生成的密码：%(p)s") % {"p": password}))
