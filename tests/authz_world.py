"""The world the authorization matrix (tests/test_authorization_matrix.py) runs in: the
roles, what each URL parameter names and the kinds of object tried for it, the marker
strings planted in the case data and which of them each role may ever be shown, and the
agencies, users and case data themselves. How a URL is found and a request made is in
tests/authz.py, which the matrix reads these through.

Everything is synthetic; every marker is a made-up string that appears nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.test import Client
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import BrowserSession, Role
from notices.delivery import record_heartbeat
from tests import factories as f

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, *(role.value for role in Role))
# Roles whose view is scoped to one agency: they never see another agency's rows.
SCOPED_ROLES = (Role.REFERRER.value, Role.AGENCY_LEAD.value, Role.PARTNER.value)

NONE_ID = 987654321  # no object has this id

# What each URL parameter names, and the object kinds tried for it. ``own`` is the user's
# own, or their agency's, where the role has one (the referrer's referral, the lead's
# agency's, the partner's agency's information request, each referring role's own draft);
# ``colleague`` a colleague's in the same school; ``other`` another agency's (the police);
# ``decided`` the referrer's own referral, decided; ``none`` an id that names nothing. The
# front door's staff have no agency scope: to them these are simply different referrals.
OBJECT_KINDS = {
    "referral_id": ("own", "colleague", "other", "decided", "none"),
    "pk": ("own", "colleague", "other", "decided", "none"),
    "draft_id": ("own", "colleague", "other", "none"),
    "submission_id": ("own", "colleague", "other", "none"),
    "child_id": ("own", "other", "none"),
    "request_id": ("own", "other", "none"),
    "challenge_id": ("own", "other", "none"),
    "discussion_id": ("own", "other", "none"),
    "token_id": ("own", "other", "none"),
    "session_id": ("own", "other", "none"),
    "key_id": ("own", "other", "none"),
    "decision_id": ("own", "other", "none"),
}
# Parameters that do not name an object take one fixed, valid value.
FIXED_PARAMS = {"index": "0", "slug": "concerns"}
PARAM_OBJECT = {
    "referral_id": "referral",
    "pk": "referral",
    "draft_id": "draft",
    "submission_id": "submission",
    "child_id": "child",
    "request_id": "information_request",
    "challenge_id": "challenge",
    "discussion_id": "discussion",
    "token_id": "api_token",
    "session_id": "browser_session",
    "key_id": "security_key",
    "decision_id": "decision",
}

# A referral for each kind: its reference, child's first name and worry are markers.
REFERRALS = {
    "own": ("FD-2026-771001", "Ottoline", "Worry own: Ottoline sleeps in the car"),
    "colleague": ("FD-2026-771002", "Casimira", "Worry colleague: Casimira has no coat"),
    "other": ("FD-2026-771003", "Barnabus", "Worry other: Barnabus was found at night"),
    "decided": ("FD-2026-771004", "Dorothea", "Worry decided: Dorothea misses school"),
}
# The front door's own record, never for a referrer, an agency lead or a partner (except
# the question a partner is asked, which is for that partner).
INTERNAL = {
    "note": "Note marker: screener spoke to the health visitor about Ottoline",
    "quality": "Quality marker: thin on what the child said",
    "recommendation": "Recommendation marker: early help via the family hub",
    "answer": "Answer marker: CAMHS shared in confidence that mum is in treatment",
    "other.note": "Note marker: police check on Barnabus returned two callouts",
    "other.answer": "Answer marker: CAMHS shared in confidence about Barnabus",
    "rationale": "Rationale marker: police told us in confidence about the household",
    "impact": "Impact marker: mornings are chaotic for Dorothea",
    "question": "Question marker: what does the health visitor know about Ottoline",
    "discussion": "Discussion marker: DS Matrixwood attended about Ottoline",
    "other.discussion": "Discussion marker: PC Otherwood attended about Barnabus",
}
FEEDBACK = "Feedback marker: the family will be offered early help"
# Why a referrer could not answer a coaching prompt: the school's on its own referral,
# the police's on theirs. Each agency's own words; the front door reads both (beside the
# section on the screening and decision pages); no other agency, nor a partner, ever.
EXPLANATIONS = {
    "explanation": "Explanation marker: Ottoline would not talk with her mother there",
    "other.explanation": "Explanation marker: Barnabus was asleep when officers came",
}
# The household named in a referral: the referrer (and their lead) read back all they
# wrote; a partner asked about the household sees who is in it (names, relationship,
# date of birth), never what the referrer said of them; another agency's is for the
# front door alone.
HOUSEHOLD = {
    "household": "Ottilie Matrixhousehold",
    "household.risk": "Risk marker: a non-molestation order against the stepfather",
    "other.household": "Bartholomew Matrixhousehold",
}
# Challenges: the school's (on another decided referral of the referrer's) and the
# police's; a challenge is for its agency and the front door, never another agency.
CHALLENGES = {
    "own": "Challenge marker: the school disagrees, Ottoline is still hungry",
    "other": "Challenge marker: the police disagree about the night callouts",
}


def markers() -> dict[str, str]:
    found = {"feedback": FEEDBACK, **INTERNAL, **HOUSEHOLD, **EXPLANATIONS}
    found |= {f"{kind}.challenge": text for kind, text in CHALLENGES.items()}
    for kind, (reference, child, worry) in REFERRALS.items():
        found |= {f"{kind}.reference": reference, f"{kind}.child": child, f"{kind}.worry": worry}
    return found


def _referral_markers(*kinds: str) -> set[str]:
    return {f"{kind}.{what}" for kind in kinds for what in ("reference", "child", "worry")}


# Which markers each role may ever be shown, on any page, whatever the status.
MAY_SEE = {
    ANONYMOUS: set(),
    Role.REFERRER.value: _referral_markers("own", "decided")
    | {"feedback", "own.challenge", "household", "household.risk", "explanation"},
    Role.AGENCY_LEAD.value: _referral_markers("own", "colleague", "decided")
    | {"feedback", "own.challenge", "household", "household.risk", "explanation"},
    Role.PARTNER.value: {"own.reference", "own.child", "question", "household"},
    Role.SCREENER.value: set(markers()),
    Role.MANAGER.value: set(markers()),
    Role.AUDITOR.value: set(markers()),
    Role.ADMIN.value: set(),
}


@dataclass
class World:
    sessions: dict[str, str]
    objects: dict[str, dict[str, object]]
    clients: dict[str, Client] = field(default_factory=dict)

    def object_id(self, param: str, kind: str, role: str):
        value = self.objects[PARAM_OBJECT[param]][kind]
        if isinstance(value, dict):
            return value.get(role, value["*"])
        return value

    def client(self, role: str) -> Client:
        """The role's client, signed in (or not) afresh: nothing carries over from the
        last request (a sign-out, a message). One client a role, as a new one loads the
        middleware again, and WhiteNoise's scan of the static files is slow."""
        client = self.clients.setdefault(role, Client())
        client.cookies.clear()
        if role != ANONYMOUS:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def build_world() -> World:
    now = timezone.now()
    school = f.AgencyFactory(name="Matrix Primary School", type=AgencyType.SCHOOL)
    police = f.AgencyFactory(name="Matrix Police", type=AgencyType.POLICE)
    health = f.AgencyFactory(name="Matrix Health Visiting", type=AgencyType.HEALTH_VISITING)
    camhs = f.AgencyFactory(name="Matrix CAMHS", type=AgencyType.CAMHS)
    social_care = f.AgencyFactory(
        name="Matrix Children's Social Care", type=AgencyType.CHILDRENS_SOCIAL_CARE
    )

    def user(name, role, agency=None):
        return f.UserFactory(username=f"matrix.{name}", role=role, agency=agency)

    users = {
        Role.REFERRER.value: user("referrer", Role.REFERRER, school),
        Role.AGENCY_LEAD.value: user("lead", Role.AGENCY_LEAD, school),
        Role.SCREENER.value: user("screener", Role.SCREENER, social_care),
        Role.MANAGER.value: user("manager", Role.MANAGER, social_care),
        Role.PARTNER.value: user("partner", Role.PARTNER, health),
        Role.AUDITOR.value: user("auditor", Role.AUDITOR),
        Role.ADMIN.value: user("admin", Role.ADMIN),
    }
    colleague = user("colleague", Role.REFERRER, school)
    police_referrer = user("police", Role.REFERRER, police)
    camhs_partner = user("camhs", Role.PARTNER, camhs)
    referrer, screener = users[Role.REFERRER.value], users[Role.SCREENER.value]

    children = {
        "own": f.ChildFactory(first_name=REFERRALS["own"][1], last_name="Matrixfield"),
        "other": f.ChildFactory(first_name=REFERRALS["other"][1], last_name="Matrixfield"),
    }
    by = {"own": referrer, "colleague": colleague, "other": police_referrer, "decided": referrer}
    referrals = {}
    for kind, (reference, child_name, worry) in REFERRALS.items():
        referrals[kind] = f.ReferralFactory(
            reference=reference,
            referrer=by[kind],
            child_first_name=child_name,
            child_last_name="Matrixfield",
            worry=worry,
            child=children.get(kind),
        )
    own, other = referrals["own"], referrals["other"]
    f.HouseholdMemberFactory(
        referral=own, name=HOUSEHOLD["household"], known_risk=HOUSEHOLD["household.risk"]
    )
    f.HouseholdMemberFactory(referral=other, name=HOUSEHOLD["other.household"])
    for kind, marker in (("own", "explanation"), ("other", "other.explanation")):
        f.CoachingPromptFactory(
            referral=referrals[kind],
            field="child_voice",
            rule="no_child_example",
            outcome="explained",
            explanation=EXPLANATIONS[marker],
        )
    # Screened and recommended on, as the database requires of "awaiting decision".
    own.status, own.assigned_to, own.assigned_at = "awaiting_decision", screener, now
    own.recommendation, own.recommended_outcome = INTERNAL["recommendation"], "early_help"
    own.recommended_by, own.recommended_at = screener, now
    own.save()
    f.ScreeningNoteFactory(referral=own, author=screener, text=INTERNAL["note"])
    f.ScreeningNoteFactory(referral=other, author=screener, text=INTERNAL["other.note"])
    f.QualityRatingFactory(referral=own, rated_by=screener, comment=INTERNAL["quality"])
    requests = {
        "own": f.InformationRequestFactory(
            referral=own, agency=health, requested_by=screener, question=INTERNAL["question"]
        ),
        "own.camhs": f.InformationRequestFactory(
            referral=own,
            agency=camhs,
            requested_by=screener,
            answer=INTERNAL["answer"],
            answered_by=camhs_partner,
            answered_at=now,
        ),
        "other": f.InformationRequestFactory(
            referral=other,
            agency=camhs,
            requested_by=screener,
            answer=INTERNAL["other.answer"],
            answered_by=camhs_partner,
            answered_at=now,
        ),
    }
    decided = referrals["decided"]
    # Recording the decision marks the referral decided (triage/triggers.py).
    decision = f.DecisionFactory(
        referral=decided,
        rationale=INTERNAL["rationale"],
        lived_experience_impact=INTERNAL["impact"],
        feedback=FEEDBACK,
        decided_by=users[Role.MANAGER.value],
    )
    # Challenged decisions, on referrals of their own (the kinds above stay as they are).
    challenges = {}
    for kind, who, reference in [
        ("own", referrer, "FD-2026-771005"),
        ("other", police_referrer, "FD-2026-771006"),
    ]:
        challenged = f.DecisionFactory(
            referral=f.ReferralFactory(reference=reference, referrer=who),
            decided_by=users[Role.MANAGER.value],
        )
        challenges[kind] = f.ChallengeFactory(decision=challenged, reason=CHALLENGES[kind])
    notices = {
        kind: f.NotificationFactory(
            recipient=who,
            event__referral_id=referral.pk,
            subject=f"Referral received: {referral.reference}",
        )
        for kind, who, referral in [("own", referrer, own), ("other", police_referrer, other)]
    }
    for who, request in [
        (users[Role.PARTNER.value], requests["own"]),
        (camhs_partner, requests["other"]),
    ]:
        f.NotificationFactory(
            recipient=who,
            event__kind="information_request",
            event__referral_id=request.referral_id,
            event__information_request_id=request.pk,
            subject=f"Information requested: {request.referral.reference}",
        )

    # A discussion about the referrer's own referral, and one about another agency's.
    discussions = {}
    for kind, referral in [("own", own), ("other", other)]:
        discussions[kind] = f.StrategyDiscussionFactory(
            referral=referral,
            convened_by=users[Role.MANAGER.value],
            section47_outcome="single_agency",  # so its outcome may be challenged
        )
        f.AttendeeFactory(
            discussion=discussions[kind],
            agency=police,
            name=INTERNAL["discussion" if kind == "own" else "other.discussion"],
        )

    drafts = {
        name: f.ReferralDraftFactory(owner=who)
        for name, who in {
            Role.REFERRER.value: referrer,
            Role.AGENCY_LEAD.value: users[Role.AGENCY_LEAD.value],
            Role.SCREENER.value: screener,
            Role.MANAGER.value: users[Role.MANAGER.value],
            "colleague": colleague,
            "other": police_referrer,
        }.items()
    }
    objects = {
        "referral": {kind: r.pk for kind, r in referrals.items()} | {"none": NONE_ID},
        "draft": {
            # Each role that may refer has its own draft; the others try the referrer's.
            "own": {role: d.pk for role, d in drafts.items()} | {"*": drafts["referrer"].pk},
            "colleague": drafts["colleague"].pk,
            "other": drafts["other"].pk,
            "none": NONE_ID,
        },
        "submission": {
            "own": own.submission_id,
            "colleague": referrals["colleague"].submission_id,
            "other": other.submission_id,
            "none": NONE_ID,
        },
        "child": {"own": children["own"].pk, "other": children["other"].pk, "none": NONE_ID},
        "information_request": {
            "own": requests["own"].pk,
            "other": requests["other"].pk,
            "none": NONE_ID,
        },
        "challenge": {kind: c.pk for kind, c in challenges.items()} | {"none": NONE_ID},
        # The referrer's decided referral's decision, and the one the police challenge.
        "decision": {
            "own": decision.pk,
            "other": challenges["other"].decision_id,
            "none": NONE_ID,
        },
        "discussion": {
            "own": discussions["own"].pk,
            "other": discussions["other"].pk,
            "none": NONE_ID,
        },
        # Each user's own API token; "other" is the police referrer's.
        "api_token": {
            "own": {role: f.ApiTokenFactory(user=who).pk for role, who in users.items()}
            | {"*": f.ApiTokenFactory(user=referrer).pk},
            "other": f.ApiTokenFactory(user=police_referrer).pk,
            "none": NONE_ID,
        },
        # Each two-step role's own security key; the other roles try the manager's (they
        # are refused before it is looked up); "other" is a second manager's.
        "security_key": {
            "own": {
                role: f.SecurityKeyFactory(user=users[role]).pk
                for role in (Role.MANAGER.value, Role.AUDITOR.value, Role.ADMIN.value)
            }
            | {"*": f.SecurityKeyFactory(user=users[Role.MANAGER.value]).pk},
            "other": f.SecurityKeyFactory(user__role=Role.MANAGER).pk,
            "none": NONE_ID,
        },
        # Not in any URL: the inbox's "mark as read" takes it in the body.
        "notification": {kind: notice.pk for kind, notice in notices.items()},
    }
    record_heartbeat(name="scan")  # as beat does every minute: /health/ is 200
    sessions = {}
    for role, who in users.items():
        client = Client()
        client.force_login(who)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Each user's other browser session (signed in elsewhere); "other" is the police
    # referrer's. The role's own session, the one asking, is not ended from its list.
    objects["browser_session"] = {
        "own": {role: _another_session(who) for role, who in users.items()}
        | {"*": _another_session(referrer)},
        "other": _another_session(police_referrer),
        "none": NONE_ID,
    }
    return World(sessions=sessions, objects=objects)


def _another_session(user) -> int:
    client = Client()
    client.force_login(user)
    return BrowserSession.objects.get(session_key=client.session.session_key).pk
