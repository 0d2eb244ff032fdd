"""`manage.py grant USERNAME ORG_CODE ROLE [--personal-data] [--revoke] [--list] [--format json]`."""
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import services
from accounts.models import Role


def grant_dict(grant) -> dict:
    """A grant as plain data for --format json."""
    return {
        "org": grant.org.code, "org_name": grant.org.name, "role": grant.role,
        "personal_data": grant.personal_data,
    }


class Command(BaseCommand):
    """Give a user a role on an organization subtree, revoke it, or list the user's grants."""

    help = _("授予用户在某组织（含下级）上的角色；--revoke 撤销，--list 列出。角色：%(roles)s。") % {
        "roles": "、".join(Role.values)
    }

    def add_arguments(self, parser):
        """USERNAME [ORG_CODE [ROLE]], --personal-data, --revoke, --list and --format."""
        parser.add_argument("username", help=_("用户名"))
        parser.add_argument("org_code", nargs="?", help=_("组织代码"))
        parser.add_argument("role", nargs="?", help=_("角色：%(r)s") % {"r": ", ".join(Role.values)})
        parser.add_argument("--personal-data", action="store_true", help=_("允许查看个人信息"))
        parser.add_argument("--revoke", action="store_true", help=_("撤销该组织上的授权"))
        parser.add_argument("--list", action="store_true", dest="list_grants", help=_("列出该用户的全部授权"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))

    def handle(self, *args, username, org_code, role, personal_data, revoke, list_grants, format, **options):
        """Resolve names to records, then call accounts.services (by=None: the command line)."""
        as_json = format == "json"
        try:
            user = services.find_user(username)
            if list_grants:
                return self._list(user, as_json)
            if not org_code:
                raise CommandError(_("请给出组织代码。"))
            org = services.find_org(org_code)
            if revoke:
                services.revoke_grant(by=None, user=user, org=org)
                self._out(as_json, {"user": username, "org": org.code, "revoked": True},
                          _("已撤销 %(u)s 在“%(o)s”的授权。") % {"u": username, "o": org.name})
                return
            if not role:
                raise CommandError(_("请给出角色，可选：%(r)s。") % {"r": "、".join(Role.values)})
            grant, created = services.grant_role(by=None, user=user, org=org, role=role,
                                                 personal_data=personal_data)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        except PermissionDenied as e:
            raise CommandError(str(e)) from None
        self._out(
            as_json, {"user": username, **grant_dict(grant), "created": created},
            _("%(u)s 在“%(o)s”及其下级的角色：%(r)s%(p)s。") % {
                "u": username, "o": org.name, "r": grant.get_role_display(),
                "p": _("，可查看个人信息") if grant.personal_data else "",
            },
        )

    def _out(self, as_json: bool, data: dict, text: str) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False) if as_json else text)

    def _list(self, user, as_json: bool) -> None:
        grants = services.list_grants(user)
        if as_json:
            self.stdout.write(json.dumps({"user": user.get_username(), "superuser": user.is_superuser,
                                          "grants": [grant_dict(g) for g in grants]}, ensure_ascii=False))
            return
        if not grants:
            self.stdout.write(_("%(u)s 没有任何授权。") % {"u": user.get_username()})
        for g in grants:
            self.stdout.write(f"{g.org.code}\t{g.org.name}\t{g.get_role_display()}"
                              + ("\t" + _("可查看个人信息") if g.personal_data else ""))
