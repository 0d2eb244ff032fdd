"""`manage.py end_sessions USERNAME [--format json]`: log a user out everywhere and delete the API token."""
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import services
from accounts.sessions import end_sessions


class Command(BaseCommand):
    """Delete every session and the API token of a user (logged as `session_ended`)."""

    help = _("结束用户的全部会话并删除其 API 令牌（记入安全日志）。")

    def add_arguments(self, parser):
        """USERNAME and --format."""
        parser.add_argument("username", help=_("用户名"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))

    def handle(self, *args, username, format, **options):
        """Find the user and end the sessions (by=None: the command line)."""
        try:
            user = services.find_user(username)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        result = end_sessions(by=None, user=user)
        if format == "json":
            self.stdout.write(json.dumps({"user": user.get_username(), **result}))
            return
        self.stdout.write(self.style.SUCCESS(_("已结束 %(u)s 的 %(s)d 个会话，删除 %(t)d 个 API 令牌。") % {
            "u": user.get_username(), "s": result["sessions"], "t": result["tokens"]}))
