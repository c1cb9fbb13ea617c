"""Who may do what: the one place that answers it.

Views (HTML and API), templates and navigation ask ``can(user, Capability.X)``; nothing
else looks at a user's role to decide access. Object-level scope (which referrals a user
may see) lives in the selectors, which start from the same roles.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied

from agencies.models import Role, User


class Capability(StrEnum):
    SUBMIT_REFERRAL = "submit_referral"
    VIEW_OWN_REFERRALS = "view_own_referrals"
    VIEW_AGENCY_REFERRALS = "view_agency_referrals"
    VIEW_QUEUE = "view_queue"
    VIEW_ALL_REFERRALS = "view_all_referrals"
    SCREEN = "screen"
    RECORD_ON_BEHALF = "record_on_behalf"
    ALLOCATE = "allocate"
    RECOMMEND = "recommend"
    DECIDE = "decide"
    RECEIVE_OVERDUE_ALERTS = "receive_overdue_alerts"
    ANSWER_INFORMATION_REQUESTS = "answer_information_requests"
    MANAGE_SYSTEM = "manage_system"
    RAISE_CHALLENGE = "raise_challenge"
    MANAGE_CHALLENGES = "manage_challenges"
    VIEW_ALL_CHALLENGES = "view_all_challenges"
    CONVENE_STRATEGY = "convene_strategy"
    VIEW_STRATEGY_DISCUSSIONS = "view_strategy_discussions"
    # The managers' dashboard and performance figures, every agency's.
    VIEW_DASHBOARD = "view_dashboard"
    # One agency's own performance figures (its lead).
    VIEW_AGENCY_PERFORMANCE = "view_agency_performance"
    EXPORT_CENSUS = "export_census"
    # Every version of a referral, a child, a decision, a discussion or a challenge, with
    # who changed what and when (the history pages).
    VIEW_HISTORY = "view_history"
    # The oversight pages: the access log, its break-the-glass alerts, and everything
    # held about one child (a subject access request). Holders also read closed records
    # without breaking the glass: they are the oversight.
    VIEW_ACCESS_LOG = "view_access_log"
    EXPORT_CHILD_RECORD = "export_child_record"


# Only capabilities that guard something are listed: the audit issue adds its own with
# the pages they guard.
_REFERRER = {
    Capability.SUBMIT_REFERRAL,
    Capability.VIEW_OWN_REFERRALS,
    Capability.RAISE_CHALLENGE,
}
_SCREENER = {
    Capability.VIEW_QUEUE,
    Capability.VIEW_ALL_REFERRALS,
    Capability.SCREEN,
    Capability.RECORD_ON_BEHALF,
    Capability.RECOMMEND,
    Capability.VIEW_STRATEGY_DISCUSSIONS,
}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.REFERRER: frozenset(_REFERRER),
    Role.AGENCY_LEAD: frozenset(
        _REFERRER | {Capability.VIEW_AGENCY_REFERRALS, Capability.VIEW_AGENCY_PERFORMANCE}
    ),
    Role.SCREENER: frozenset(_SCREENER),
    Role.MANAGER: frozenset(
        _SCREENER
        | {
            Capability.ALLOCATE,
            Capability.DECIDE,
            Capability.RECEIVE_OVERDUE_ALERTS,
            Capability.MANAGE_CHALLENGES,
            Capability.VIEW_ALL_CHALLENGES,
            Capability.CONVENE_STRATEGY,
            Capability.VIEW_DASHBOARD,
            Capability.EXPORT_CENSUS,
            Capability.VIEW_HISTORY,
        }
    ),
    # A partner agency's practitioner is a professional involved: one whose agency was
    # asked for information, or attended the discussion, may challenge what was decided.
    Role.PARTNER: frozenset({Capability.ANSWER_INFORMATION_REQUESTS, Capability.RAISE_CHALLENGE}),
    # Auditors read everything and change nothing: no capability here writes.
    Role.AUDITOR: frozenset(
        {
            Capability.VIEW_ALL_REFERRALS,
            Capability.VIEW_QUEUE,
            Capability.VIEW_ALL_CHALLENGES,
            Capability.VIEW_STRATEGY_DISCUSSIONS,
            Capability.VIEW_DASHBOARD,
            Capability.EXPORT_CENSUS,
            Capability.VIEW_HISTORY,
            Capability.VIEW_ACCESS_LOG,
            Capability.EXPORT_CHILD_RECORD,
        }
    ),
    Role.ADMIN: frozenset({Capability.MANAGE_SYSTEM}),
}


# Roles whose sign-in needs a second factor (a code from an authenticator app) when
# FRONTDOOR_MFA_REQUIRED is on: those who decide, read everything, or run the system.
# FRONTDOOR_MFA_ALSO_FOR adds others (second_factor_roles); none can be taken away.
SECOND_FACTOR_ROLES = frozenset({Role.MANAGER, Role.AUDITOR, Role.ADMIN})


def unknown_roles(values) -> list[str]:
    """The values among ``values`` that name no role (FRONTDOOR_MFA_ALSO_FOR's check)."""
    return [value for value in values if value not in Role.values]


def second_factor_roles() -> frozenset[str]:
    """The role values that use two-step verification: SECOND_FACTOR_ROLES and those
    FRONTDOOR_MFA_ALSO_FOR names."""
    from django.conf import settings

    return frozenset(role.value for role in SECOND_FACTOR_ROLES) | frozenset(settings.MFA_ALSO_FOR)


def may_use_second_factor(user) -> bool:
    """Whether the user's role uses two-step verification (and may set it up), whatever
    FRONTDOOR_MFA_REQUIRED says."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role in second_factor_roles()
    )


def needs_second_factor(user) -> bool:
    """Whether this user must give a code after their password before going further."""
    from django.conf import settings

    return settings.MFA_REQUIRED and may_use_second_factor(user)


def second_factor_satisfied(user) -> bool:
    """Signed in, and past the verification step where one is needed (``is_verified``
    is set by django-otp's middleware on a session's user)."""
    if user is None or not user.is_authenticated:
        return False
    if not needs_second_factor(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def capabilities_of(user) -> frozenset[Capability]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    try:
        return ROLE_CAPABILITIES[Role(user.role)]
    except ValueError:
        return frozenset()


def can(user, capability: Capability) -> bool:
    return Capability(capability) in capabilities_of(user)


def roles_with(capability: Capability) -> list[str]:
    return [role.value for role, held in ROLE_CAPABILITIES.items() if capability in held]


def users_with(capability: Capability):
    """Every active user whose role holds the capability (for example everyone who
    receives overdue alerts)."""
    return User.objects.filter(is_active=True, role__in=roles_with(capability))


def agency_users_with(agency_id: int, capability: Capability):
    """Active users of one agency whose role holds the capability."""
    return users_with(capability).filter(agency_id=agency_id)


def may_refer(user) -> bool:
    """Referrers refer for their agency; screeners and managers record referrals made by
    phone or email on a caller's behalf."""
    return can(user, Capability.SUBMIT_REFERRAL) or can(user, Capability.RECORD_ON_BEHALF)


def refers_on_behalf(user) -> bool:
    """Whether what this user records is a caller's referral (screeners and managers),
    not one of their own agency's."""
    return can(user, Capability.RECORD_ON_BEHALF) and not can(user, Capability.SUBMIT_REFERRAL)


def allocatable_users():
    """Who a referral may be allocated to: everyone active who screens."""
    return users_with(Capability.SCREEN)


def may_answer_information_request(user, *, agency_id: int) -> bool:
    """Partners answer the requests addressed to their own agency, and no other."""
    return (
        can(user, Capability.ANSWER_INFORMATION_REQUESTS)
        and user.agency_id is not None
        and user.agency_id == agency_id
    )


def reads_referrer_feedback(user) -> bool:
    """Referrers and agency leads read the feedback written for them; the front door
    reads the whole decision on its own pages."""
    return can(user, Capability.VIEW_OWN_REFERRALS)


def breaks_glass_for_closed_records(user) -> bool:
    """Whether opening a closed record (a case decided long ago, about a child with
    nothing open) is outside this user's normal scope: for screeners and managers it is,
    and they state a reason first; auditors read everything as the oversight."""
    return can(user, Capability.VIEW_ALL_REFERRALS) and not can(user, Capability.VIEW_ACCESS_LOG)


def require(user, capability: Capability) -> None:
    if not can(user, capability):
        raise PermissionDenied


def capability_required(capability: Capability):
    """View decorator: sign-in required, then the capability (403 without it)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            require(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def performance_agency_scope(user) -> tuple[bool, int | None]:
    """Whose figures the user may see on the agency performance page: ``(True, None)``
    for those who see every agency's (they choose one); ``(False, own agency id)`` for
    an agency lead, fixed to their own agency whatever they ask for.
    PermissionDenied for everyone else."""
    if can(user, Capability.VIEW_DASHBOARD):
        return True, None
    if can(user, Capability.VIEW_AGENCY_PERFORMANCE) and user.agency_id is not None:
        return False, user.agency_id
    raise PermissionDenied
