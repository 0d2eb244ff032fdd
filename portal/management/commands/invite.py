"""`manage.py invite PERSON_ID [--channel email|sms] [--by USERNAME] [--format json]`."""
import json

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal import services
from portal.models import InvitationChannel
from registry.models import Person


class Command(BaseCommand):
    """Invite a registered person to the member portal: a one-time link by e-mail or SMS."""

    help = _("邀请人员开通会员服务：通过电子邮件或短信发送一次性链接（默认有电子邮箱用邮件，否则用短信）。")

    def add_arguments(self, parser):
        """PERSON_ID, --channel, --by and --format."""
        parser.add_argument("person_id", type=int, help=_("人员编号"))
        parser.add_argument("--channel", choices=InvitationChannel.values, help=_("发送方式：email 或 sms"))
        parser.add_argument("--by", help=_("以该用户的身份邀请（检查其授权；默认为命令行，不检查）"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))

    def handle(self, *args, person_id, channel, by, format, **options):
        """Call portal.services.invite; print the link once (it is not stored)."""
        person = Person.objects.active().select_related("org").filter(pk=person_id).first()
        if person is None:
            raise CommandError(_("人员 %(id)s 不存在。") % {"id": person_id})
        actor = None
        if by:
            actor = get_user_model().objects.filter(username=by).first()
            if actor is None:
                raise CommandError(_("用户 %(u)s 不存在。") % {"u": by})
        try:
            invitation, link = services.invite(by=actor, person=person, channel=channel)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        except PermissionDenied as e:
            raise CommandError(str(e)) from None
        data = {"person": person.pk, "name": person.name, "channel": invitation.channel,
                "address": invitation.address, "expires_at": invitation.expires_at.isoformat(), "link": link}
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(_("已向 %(name)s（%(a)s）发送邀请，有效期至 %(d)s。链接：%(l)s") % {
                "name": person.name, "a": invitation.address, "d": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
                "l": link})

