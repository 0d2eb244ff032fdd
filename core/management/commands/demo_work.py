"""`manage.py demo_work`: a year of cases, activities, donations, products, an award campaign, notices and a
demo member account on top of `manage.py demo` (run by `make run` on first start)."""
import json
import secrets

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core import demo_work
from shanghui.env import env


class Command(BaseCommand):
    """Add the year of work once; print the demo member's login."""

    help = "在演示数据上生成一年的诉求、活动、捐赠、产品、评优和通知，并创建一个演示会员账号。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, format, **options):
        password = env("SHANGHUI_DEMO_PASSWORD")
        generated = password is None
        password = password or secrets.token_urlsafe(9) + "Aa1!"
        made = demo_work.build(member_password=password)
        if format == "json":
            made["password"] = None if made.get("skipped") or not generated else password
            self.stdout.write(json.dumps(made, ensure_ascii=False))
            return
        if made.get("skipped"):
            self.stdout.write(_("已有业务数据，未重复生成。"))
            return
        self.stdout.write(_("已生成：诉求 %(cases)s 件，活动 %(activities)s 场，捐赠 %(donations)s 笔，产品 %(products)s 个，"
                            "评优活动 %(campaign)s，通知 %(notices)s 条。") % made)
        member = made.get("member")
        if member:
            shown = password if generated else _("（取自 SHANGHUI_DEMO_PASSWORD）")
            self.stdout.write(self.style.WARNING(
                _("演示会员：%(name)s，在 /my/login/ 用手机号 %(login)s 登录，密码：%(pw)s")
                % {"name": member["name"], "login": member["login"], "pw": shown}))
