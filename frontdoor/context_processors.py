from django.conf import settings

from agencies.policy import Capability, capabilities_of, second_factor_satisfied
from frontdoor.navigation import navigation_for
from notices.services import inbox_for


def front_door(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"fd_can": {}, "fd_nav": [], "duty_line": settings.DUTY_LINE}
    held = capabilities_of(user)

    return {
        "duty_line": settings.DUTY_LINE,
        "unread_count": inbox_for(user).filter(read_at__isnull=True).count(),
        "fd_can": {capability.value: capability in held for capability in Capability},
        # Before the second step of signing in, nothing to go to but that step.
        "fd_nav": navigation_for(user, request.path) if second_factor_satisfied(user) else [],
    }
