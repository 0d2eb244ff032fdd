"""Password rules beyond Django's validators: character classes, and the date of the last change."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    ("upper", lambda c: c.isupper()),
    ("lower", lambda c: c.islower()),
    ("digit", lambda c: c.isdigit()),
    ("symbol", lambda c: not c.isalnum()),
)


def character_classes(password: str) -> set[str]:
    """Which of upper case, lower case, digit and symbol the password contains."""
    return {name for name, test in CLASSES if any(test(c) for c in password)}


class CharacterClassValidator:
    """At least `min_classes` of: upper-case letter, lower-case letter, digit, symbol (等保 2.0 complexity).

    Also records when a password was set (Django calls `password_changed` after every save of a
    new password), which the maximum password age is counted from.
    """

    def __init__(self, min_classes: int = 3):
        self.min_classes = max(0, min(4, int(min_classes)))

    def validate(self, password, user=None):
        """Refuse a password with too few kinds of characters, saying which kinds exist."""
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。",
                    "密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。",
                    self.min_classes,
                ) % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        """The rule in words, for password forms."""
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes}

    def password_changed(self, password, user=None):
        """Remember when the password was set and write `password_changed` to the security log."""
        if user is None or user.pk is None:
            return
        from accounts.models import PasswordState, SecurityEventKind
        from accounts.security import current_request, log_event

        _state, created = PasswordState.objects.update_or_create(user=user, defaults={"changed_at": timezone.now()})
        log_event(SecurityEventKind.PASSWORD_CHANGED, current_request(), user=user, first=created)
