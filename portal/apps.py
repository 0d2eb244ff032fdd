"""The portal: members at home and abroad serve themselves, in Chinese or English, on a phone."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """App config for member self-service."""

    name = "portal"
    verbose_name = _("会员服务")

    def ready(self):
        from core.audit import register as audit
        from portal.models import Invitation, MemberAccount, Notice, ProfileChange

        for model in (MemberAccount, Invitation, Notice):
            audit(model)
        # A proposed change holds the before/after values (phones, ID numbers): the audit keeps
        # its status and who decided, never the values in clear.
        audit(ProfileChange, include_fields=["status", "decided_by", "decided_at", "reason", "person",
                                             "enterprise"])

        from portal.models import ChangeStatus
        from registry.holdings import register as person_panel

        person_panel("portal.account", lambda person: MemberAccount.objects.filter(person=person))
        person_panel("portal.invitation", lambda person: Invitation.objects.filter(person=person))
        person_panel("portal.pending", lambda person: ProfileChange.objects.filter(person=person,
                                                                                  status=ChangeStatus.PENDING))

    def reseal(self, batch: int) -> dict:
        """Move the sealed numbers of members' proposed changes to the current data key (`rotate_keys`)."""
        from portal.fields import reseal_changes

        return reseal_changes(batch)
