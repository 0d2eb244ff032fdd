"""`manage.py otp_reset USERNAME [--format json]`: remove a user's TOTP device (a lost or replaced phone)."""
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import otp, services


class Command(BaseCommand):
    """Delete the user's TOTP devices; at the next login the user enrols a new one."""

    help = _("重置用户的动态口令（手机丢失或更换时）：删除已绑定的验证器，下次登录时重新绑定。")

    def add_arguments(self, parser):
        """USERNAME and --format."""
        parser.add_argument("username", help=_("用户名"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))

    def handle(self, *args, username, format, **options):
        """Find the user, reset, and say how many devices were removed."""
        try:
            user = services.find_user(username)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        count = otp.reset(by=None, user=user)
        if format == "json":
            self.stdout.write(json.dumps({"user": user.get_username(), "devices_removed": count}))
            return
        self.stdout.write(self.style.SUCCESS(
            _("已删除 %(u)s 的 %(n)d 个动态口令设备，下次登录时须重新绑定。") % {"u": user.get_username(), "n": count}))
