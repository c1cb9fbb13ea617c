from django.conf import settings

from agencies.policy import Capability, capabilities_of, second_factor_satisfied
from frontdoor.navigation import navigation_for
from notices.services import unread_count


def front_door(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "fd_can": {},
            "fd_nav": [],
            "duty_line": settings.DUTY_LINE,
            "privacy_notice_url": settings.PRIVACY_NOTICE_URL,
        }
    held = capabilities_of(user)
    # Before the second step of signing in, or while a password an administrator set is
    # still theirs (agencies.recovery), there is nothing to go to but that step or the
    # password page (the middleware sends every other page there): no navigation, no inbox
    # or account link, only who is signed in and signing out.
    held_back = not second_factor_satisfied(user) or user.must_change_password

    return {
        "duty_line": settings.DUTY_LINE,
        "privacy_notice_url": settings.PRIVACY_NOTICE_URL,
        "unread_count": 0 if held_back else unread_count(user),
        "fd_can": {capability.value: capability in held for capability in Capability},
        "fd_nav": [] if held_back else navigation_for(user, request.path),
        "fd_held_back": held_back,
    }
