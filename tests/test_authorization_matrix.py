"""The authorization matrix: every URL pattern and every method it accepts, for every role,
against the user's own object, a colleague's, another agency's and one that does not
exist, with the expected outcome written down in one table (MATRIX).

A URL pattern or a method that is not in the table fails
``test_every_url_and_method_is_in_the_matrix``: declare every new address here.

How to read an entry: ``(url name, method): {role: outcome}``. An outcome is a status,
``LOGIN`` (a redirect to the sign-in page) or a dict choosing by object kind (``own``,
``colleague``, ``other``, ``decided``, ``none``: see tests/authz_world.py) or by body
(``empty``, ``invalid``), ``"*"`` for the rest. Writes are sent twice, with an empty body
and with an invalid one (wrong types, bad choices, ids that are not numbers).

Besides the status, every response is searched for marker strings planted in the case
data: a refused response (401, 403, 404, 405, sign-in) shows none; any other shows only
what its role may see (authz.MAY_SEE): a referrer never sees a colleague's or another
agency's referral, nor the front door's notes, answers, rationale or rating.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from notices.models import Notification
from tests import authz
from tests.authz import LOGIN

pytestmark = pytest.mark.django_db

REFUSED = {LOGIN, 401, 403, 404, 405}
# Staff who read every referral: each one exists for them but the id that names nothing.
EVERY = {"none": 404, "*": 200}

MATRIX = {
    # --- Public and every signed-in user ---------------------------------------------------
    ("health", "GET"): dict.fromkeys(authz.ROLES, 200),
    ("home", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN},
    ("login", "GET"): {**dict.fromkeys(authz.ROLES, 302), "anonymous": 200},
    ("login", "OPTIONS"): {**dict.fromkeys(authz.ROLES, 302), "anonymous": 200},
    # An invalid sign-in re-renders the form (200); Django's LoginView takes PUT as POST.
    ("login", "POST"): {**dict.fromkeys(authz.ROLES, 302), "anonymous": 200},
    ("login", "PUT"): {**dict.fromkeys(authz.ROLES, 302), "anonymous": 200},
    ("logout", "OPTIONS"): dict.fromkeys(authz.ROLES, 200),
    ("logout", "POST"): dict.fromkeys(authz.ROLES, LOGIN),
    # --- The account area: each person's own tokens, password and two-step verification -
    ("account", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN},
    # Downloading one's own account data (frontdoor.account_export): only ever one's own
    # (no id in the address); 302 to confirm it is them first, as the matrix's clients
    # have not (tests/frontdoor/test_account_export.py downloads it confirmed).
    ("account-export", "GET"): {**dict.fromkeys(authz.ROLES, 302), "anonymous": LOGIN},
    # "Confirm it is you" (agencies.reauth): anyone signed in confirms it is them; an
    # empty or wrong password re-renders the page (200). The security-key step sends
    # anyone without a key (every matrix user) back to the page (302).
    **{
        ("reauth", method): {**dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN}
        for method in ("GET", "POST")
    },
    ("reauth-key", "POST"): {**dict.fromkeys(authz.ROLES, 302), "anonymous": LOGIN},
    # Revoking one's own API token (302: to confirm it is them first, then back to the
    # account page); another's, or one that does not exist, is 404 before that.
    ("account-token-revoke", "POST"): {
        **dict.fromkeys(authz.ROLES, {"own": 302, "*": 404}), "anonymous": LOGIN,
    },
    # Ending one of one's own other browser sessions (the page asks the password again:
    # an empty or invalid one re-renders it, 200); another's, this one, or one that does
    # not exist, is 404.
    **{
        ("account-session-end", method): {
            **dict.fromkeys(authz.ROLES, {"own": 200, "*": 404}), "anonymous": LOGIN,
        }
        for method in ("GET", "POST")
    },
    # Ending all one's other sessions: only ever one's own (200: the page, or an empty or
    # invalid password shown again).
    **{
        ("account-sessions-end-others", method): {
            **dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN,
        }
        for method in ("GET", "POST")
    },
    # An empty or invalid change re-renders the form with its errors (200).
    ("password-change", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN},
    ("password-change", "POST"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN},
    # The strength meter on that page: a fragment for anyone signed in (empty for an
    # empty body); it reads nothing but the password sent.
    ("password-strength", "POST"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN},
    # Setting up an authenticator: the roles two-step verification is for; an empty or
    # invalid code re-renders the page (200).
    **{
        ("two-step-setup", method): {
            **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
            "manager": 200, "auditor": 200, "admin": 200,
        }
        for method in ("GET", "POST")
    },
    # The code step: with FRONTDOOR_MFA_REQUIRED off (as here) nobody is asked for a
    # code, so everyone signed in goes on (302); tests/agencies/test_two_step.py has it on.
    **{
        ("two-step-verify", method): {**dict.fromkeys(authz.ROLES, 302), "anonymous": LOGIN}
        for method in ("GET", "POST")
    },
    # The second step with a security key: like the code step, everyone signed in goes on
    # (302) while FRONTDOOR_MFA_REQUIRED is off; tests/agencies/test_security_key_sign_in.py
    # has it on.
    ("two-step-key", "POST"): {**dict.fromkeys(authz.ROLES, 302), "anonymous": LOGIN},
    # Security keys on the account page: the two-step roles only. Adding one asks a name
    # and the password again (an empty or invalid body re-renders the page, 200); its
    # last step, without the first, says to start again (200). Removing one's own key
    # asks the password again (200); another's, or one that does not exist, is 404.
    **{
        ("account-key-add", method): {
            **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
            "manager": 200, "auditor": 200, "admin": 200,
        }
        for method in ("GET", "POST")
    },
    ("account-key-add-finish", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "manager": 200, "auditor": 200, "admin": 200,
    },
    **{
        ("account-key-remove", method): {
            **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
            **dict.fromkeys(("manager", "auditor", "admin"), {"own": 200, "*": 404}),
        }
        for method in ("GET", "POST")
    },
    ("inbox", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN},
    ("inbox-read", "POST"): {**dict.fromkeys(authz.ROLES, 302), "anonymous": LOGIN},
    # --- The referral form: referrers and leads, and staff for calls; drafts are private --
    ("referrals:start", "GET"): {
        "anonymous": LOGIN, "referrer": 200, "agency_lead": 200, "screener": 200,
        "manager": 200, "partner": 403, "auditor": 403, "admin": 403,
    },
    ("referrals:start", "POST"): {
        "anonymous": LOGIN, "referrer": 302, "agency_lead": 302, "screener": 302,
        "manager": 302, "partner": 403, "auditor": 403, "admin": 403,
    },
    **{
        # An invalid section, child or check re-renders the page with 200 (GOV.UK form).
        (page, method): {
            "anonymous": LOGIN, "partner": 403, "auditor": 403, "admin": 403,
            **dict.fromkeys(("referrer", "agency_lead", "screener", "manager"),
                            {"own": 200, "*": 404}),
        }
        for page in ("referrals:section", "referrals:child", "referrals:check")
        for method in ("GET", "POST")
    },
    # Coaching prompts for the section being typed (htmx): the draft's owner only.
    ("referrals:coaching", "POST"): {
        "anonymous": LOGIN, "partner": 403, "auditor": 403, "admin": 403,
        **dict.fromkeys(("referrer", "agency_lead", "screener", "manager"),
                        {"own": 200, "*": 404}),
    },
    ("referrals:children", "GET"): {
        "anonymous": LOGIN, "partner": 403, "auditor": 403, "admin": 403,
        **dict.fromkeys(("referrer", "agency_lead", "screener", "manager"),
                        {"own": 200, "*": 404}),
    },
    # Empty: on to the next page. Invalid (``remove-x``): a mangled child index, 404.
    ("referrals:children", "POST"): {
        "anonymous": LOGIN, "partner": 403, "auditor": 403, "admin": 403,
        **dict.fromkeys(("referrer", "agency_lead", "screener", "manager"),
                        {"own": {"empty": 302, "invalid": 404}, "*": 404}),
    },
    # The confirmation is for whoever sent it: 404 for anyone else, the lead included.
    ("referrals:submitted", "GET"): {
        **dict.fromkeys(authz.ROLES, 404), "anonymous": LOGIN,
        "referrer": {"own": 200, "*": 404},
    },
    ("referrals:mine", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": 200, "agency_lead": 200,
    },
    # A referral read back by its referrer, or any of the agency's by its lead.
    ("referrals:detail", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": {"own": 200, "decided": 200, "*": 404},
        "agency_lead": {"other": 404, "none": 404, "*": 200},
    },
    # --- Triage: the queue and the screening record are for the front door --------------
    ("triage:queue", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": 200, "manager": 200, "auditor": 200,
    },
    ("triage:referral", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": EVERY, "manager": EVERY, "auditor": EVERY,
    },
    # Claiming a decided referral, or one already claimed, comes back with a message.
    ("triage:claim", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 302}, "manager": {"none": 404, "*": 302},
    },
    ("triage:create-child", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 302}, "manager": {"none": 404, "*": 302},
    },
    # The rubric is six checkboxes: an empty body is a valid rating of six noes.
    ("triage:quality", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 302}, "manager": {"none": 404, "*": 302},
    },
    # No child chosen: back to the referral with a message, before the referral is looked
    # up, so a referral that does not exist gets the same redirect (then 404 there).
    ("triage:link-child", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 302}, "manager": {"none": 404, "*": 302},
    },
    # Undoing a wrong child link needs a reason: an empty or invalid body is 400.
    ("triage:unlink-child", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 400}, "manager": {"none": 404, "*": 400},
    },
    ("triage:note", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 400}, "manager": {"none": 404, "*": 400},
    },
    ("triage:recommend", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 400}, "manager": {"none": 404, "*": 400},
    },
    ("triage:allocate", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "manager": {"none": 404, "*": 400},
    },
    # A decided referral shows its decision and footprint (GET) or sends the manager back
    # to it (POST); nothing to amend is 404.
    ("triage:decide", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "manager": EVERY,
    },
    ("triage:decide", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "manager": {"decided": 302, "none": 404, "*": 400},
    },
    ("triage:amend", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "manager": {"decided": 400, "*": 404},
    },
    # Its pieces (?cursor=, ?all=on, and to htmx) are this address and this view: the same
    # checks (tests/triage/test_chronology_pieces.py).
    ("children:chronology", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": EVERY, "manager": EVERY, "auditor": EVERY,
    },
    # Break the glass: screeners and managers give a reason for a closed record; an empty
    # or a thin one re-renders the form with 400. Auditors read without one (403 here).
    **{
        (name, "POST"): {
            **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
            "screener": {"none": 404, "*": 400}, "manager": {"none": 404, "*": 400},
        }
        for name in ("triage:break-glass", "children:break-glass")
    },
    # The auditors' pages: the access log and everything held about a child (JSON by
    # default).
    ("oversight:access-log", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "auditor": 200,
    },
    ("oversight:child-export", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "auditor": {"none": 404, "*": 200},
    },
    # Screeners ask partners; an invalid request (the empty one sent here) re-renders the
    # form with 400.
    ("requests:send", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 400}, "manager": {"none": 404, "*": 400},
    },
    # --- Partners: their agency's information requests, nothing else --------------------
    ("requests:list", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "partner": 200,
    },
    ("requests:detail", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "partner": {"own": 200, "*": 404},
    },
    # A partner answers their agency's request; an invalid answer (the empty one sent
    # here) re-renders the page with 400.
    ("requests:detail", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "partner": {"own": 400, "*": 404},
    },
    # --- Challenges: raised by the referrer or their lead; managed by managers -----------
    # Only a decision can be challenged: an undecided referral in scope is 409.
    # The partner is a professional involved in "own": their agency was asked about it.
    ("challenges:raise", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": {"own": 409, "decided": 200, "*": 404},
        "agency_lead": {"own": 409, "colleague": 409, "decided": 200, "*": 404},
        "partner": {"own": 409, "*": 404},
    },
    ("challenges:raise", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": {"own": 409, "decided": 400, "*": 404},
        "agency_lead": {"own": 409, "colleague": 409, "decided": 400, "*": 404},
        "partner": {"own": 409, "*": 404},
    },
    # A discussion's outcome: challenged by those who may challenge about its referral.
    ("challenges:raise-discussion", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": {"own": 200, "*": 404}, "agency_lead": {"own": 200, "*": 404},
        "partner": {"own": 200, "*": 404},
    },
    ("challenges:raise-discussion", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": {"own": 400, "*": 404}, "agency_lead": {"own": 400, "*": 404},
        "partner": {"own": 400, "*": 404},
    },
    ("challenges:list", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "manager": 200, "auditor": 200,
    },
    # A partner follows only the challenges they raised (none in the world).
    ("challenges:detail", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": {"own": 200, "*": 404}, "agency_lead": {"own": 200, "*": 404},
        "manager": EVERY, "auditor": EVERY, "partner": 404,
    },
    # The person who raised it, or their lead, adds to it; an empty reply is 400.
    ("challenges:reply", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": {"own": 400, "*": 404}, "agency_lead": {"own": 400, "*": 404},
        "partner": 404,
    },
    **{
        (f"challenges:{action}", "POST"): {
            **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
            "manager": {"none": 404, "*": 400},
        }
        for action in ("respond", "escalate", "resolve")
    },
    # Break the glass on a closed challenge: access to it first (404 outside scope, 403
    # for roles that follow no challenges), then only managers give a reason (an empty
    # or a thin one: the form again, 400); who raised it, their lead and auditors read
    # it without one (403 here).
    ("challenges:break-glass", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "referrer": {"own": 403, "*": 404}, "agency_lead": {"own": 403, "*": 404},
        "partner": 404, "manager": {"none": 404, "*": 400}, "auditor": {"none": 404, "*": 403},
    },
    # --- Strategy discussions: managers convene and record; screeners and auditors read;
    # anyone else gets 404 for a discussion, as for a referral they may not see.
    ("strategy:convene", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "manager": EVERY,
    },
    # Empty or invalid: the form again with its errors (400).
    ("strategy:convene", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "manager": {"none": 404, "*": 400},
    },
    # The warnings fragment for the rows posted: none posted is an empty list.
    ("strategy:warnings", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "manager": EVERY,
    },
    ("strategy:attendees", "GET"): {
        **dict.fromkeys(authz.ROLES, 404), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 403}, "auditor": {"none": 404, "*": 403},
        "manager": EVERY,
    },
    # Empty: no one listed, so the reason for going on without them is asked for (400).
    ("strategy:attendees", "POST"): {
        **dict.fromkeys(authz.ROLES, 404), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 403}, "auditor": {"none": 404, "*": 403},
        "manager": {"none": 404, "*": 400},
    },
    **{
        ("strategy:" + page, "GET"): {
            **dict.fromkeys(authz.ROLES, 404), "anonymous": LOGIN,
            "screener": EVERY, "manager": EVERY, "auditor": EVERY,
        }
        for page in ("detail", "print")
    },
    **{
        ("strategy:" + page, "POST"): {
            **dict.fromkeys(authz.ROLES, 404), "anonymous": LOGIN,
            "screener": {"none": 404, "*": 403}, "auditor": {"none": 404, "*": 403},
            "manager": {"none": 404, "*": 400},
        }
        for page in (
            "decision", "information", "action", "action-done", "minutes", "outcome",
            "child-seen",
        )
    },
    # Break the glass on a closed discussion: screeners and managers give a reason (an
    # empty or a thin one: the form again, 400); auditors read without one (403 here).
    ("strategy:break-glass", "POST"): {
        **dict.fromkeys(authz.ROLES, 404), "anonymous": LOGIN,
        "screener": {"none": 404, "*": 400}, "manager": {"none": 404, "*": 400},
        "auditor": {"none": 404, "*": 403},
    },
    # Every discussion, newest first, for those who read them.
    ("strategy:list", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "screener": 200, "manager": 200, "auditor": 200,
    },
    # --- The managers' dashboard: managers and auditors ----------------------------------
    **{
        (page, "GET"): {
            **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
            "manager": 200, "auditor": 200,
        }
        for page in ("dashboard:live", "dashboard:information-requests-overdue")
    },
    # --- Performance figures: managers and auditors read every agency's; an agency lead
    # its own agency's only. The CSV without ``table=`` names the missing field (400).
    ("dashboard:performance", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "manager": 200, "auditor": 200,
    },
    ("dashboard:performance-csv", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "manager": 400, "auditor": 400,
    },
    ("dashboard:agency", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "agency_lead": 200, "manager": 200, "auditor": 200,
    },
    ("dashboard:agency-csv", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
        "agency_lead": 400, "manager": 400, "auditor": 400,
    },
    # --- History: every version of a record, for managers and auditors -----------------
    **{
        (f"history:{record}", "GET"): {
            **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN,
            "manager": EVERY, "auditor": EVERY,
        }
        for record in ("referral", "child", "decision", "discussion", "challenge")
    },
    # --- The Django admin: one entry for all of it (its index and the agencies page) -----
    (authz.ADMIN, "GET"): {**dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "admin": 200},
    # --- The API: 401 without a token or session ------------------------------------------
    ("api-token", "POST"): dict.fromkeys(authz.ROLES, 400),
    ("api-token", "OPTIONS"): dict.fromkeys(authz.ROLES, 200),
    # Signing out of the API ends the token sent: a session is not a token (401).
    **{("api-logout", method): dict.fromkeys(authz.ROLES, 401) for method in ("POST", "OPTIONS")},
    # Each caller's own tokens; revoking another's, or one that does not exist, is 404.
    # Revoking one's own with a browser session that has not confirmed it is its owner
    # recently is 403 (agencies.reauth; with a token it is 204).
    **{
        ("api-tokens", method): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401}
        for method in ("GET", "OPTIONS")
    },
    ("api-token-detail", "DELETE"): {
        **dict.fromkeys(authz.ROLES, {"own": 403, "*": 404}), "anonymous": 401,
    },
    ("api-token-detail", "OPTIONS"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-notifications", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-notifications", "OPTIONS"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    # Partners and the administrator may ask: they get an empty list.
    ("api-referrals", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-referrals", "OPTIONS"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-referrals", "POST"): {
        "anonymous": 401, "referrer": 400, "agency_lead": 400, "screener": 400,
        "manager": 400, "partner": 403, "auditor": 403, "admin": 403,
    },
    ("api-referral", "GET"): {
        "anonymous": 401, "partner": 404, "admin": 404,
        "referrer": {"own": 200, "decided": 200, "*": 404},
        "agency_lead": {"other": 404, "none": 404, "*": 200},
        "screener": EVERY, "manager": EVERY, "auditor": EVERY,
    },
    # OPTIONS describes the operation, never the object: the same for every id.
    ("api-referral", "OPTIONS"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-referral-decision", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401,
        "manager": {"none": 404, "*": 400},
    },
    ("api-referral-decision", "OPTIONS"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401, "manager": 200,
    },
    # Raised by the referral's referrer or their lead: only a decision can be challenged.
    ("api-referral-challenges", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401,
        "referrer": {"own": 409, "decided": 400, "*": 404},
        "agency_lead": {"own": 409, "colleague": 409, "decided": 400, "*": 404},
        "partner": {"own": 409, "*": 404},
    },
    ("api-referral-challenges", "OPTIONS"): {
        **dict.fromkeys(authz.ROLES, 200), "anonymous": 401,
    },
    ("api-challenges", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401,
        "referrer": 200, "agency_lead": 200, "manager": 200, "auditor": 200, "partner": 200,
    },
    ("api-challenges", "OPTIONS"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    # No detail given: 400 naming them. (GET with query parameters is retired: 405 for
    # screeners and managers, after the same 401/403; tests/referrals/test_matching_api.py.)
    ("api-child-matches", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401, "screener": 400, "manager": 400,
    },
    ("api-child-matches", "OPTIONS"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401, "screener": 200, "manager": 200,
    },
    # Strategy discussions: managers record them; managers, screeners and auditors read.
    ("api-strategy-discussions", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401,
        "screener": 200, "manager": 200, "auditor": 200,
    },
    ("api-strategy-discussions", "OPTIONS"): {
        **dict.fromkeys(authz.ROLES, 200), "anonymous": 401,
    },
    ("api-strategy-discussions", "POST"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401, "manager": 400,
    },
    ("api-strategy-discussion", "GET"): {
        **dict.fromkeys(authz.ROLES, 404), "anonymous": 401,
        "screener": EVERY, "manager": EVERY, "auditor": EVERY,
    },
    # An empty change is refused (400) as an invalid one is.
    ("api-strategy-discussion", "PATCH"): {
        **dict.fromkeys(authz.ROLES, 404), "anonymous": 401,
        "screener": {"none": 404, "*": 403}, "auditor": {"none": 404, "*": 403},
        "manager": {"none": 404, "*": 400},
    },
    ("api-strategy-discussion", "OPTIONS"): {
        **dict.fromkeys(authz.ROLES, 200), "anonymous": 401,
    },
    # The CIN census export: managers and auditors. The download and the API need a year:
    # without one, 400 naming it.
    ("dashboard:census", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "manager": 200, "auditor": 200,
    },
    ("dashboard:census-download", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": LOGIN, "manager": 400, "auditor": 400,
    },
    ("api-census-cin", "GET"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401, "manager": 400, "auditor": 400,
    },
    ("api-census-cin", "OPTIONS"): {
        **dict.fromkeys(authz.ROLES, 403), "anonymous": 401, "manager": 200, "auditor": 200,
    },
    **{
        ("api-dashboard", method): {
            **dict.fromkeys(authz.ROLES, 403), "anonymous": 401, "manager": 200, "auditor": 200,
        }
        for method in ("GET", "OPTIONS")
    },
    ("api-agencies", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-agencies", "OPTIONS"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-schema", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-schema", "OPTIONS"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": 401},
    ("api-docs", "GET"): {**dict.fromkeys(authz.ROLES, 200), "anonymous": LOGIN},
}  # fmt: skip

DISCOVERED = authz.discovered()


def test_every_url_and_method_is_in_the_matrix():
    missing = sorted(set(DISCOVERED) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(DISCOVERED))

    assert not missing, f"URL patterns or methods with no entry in MATRIX: {missing}"
    assert not stale, f"MATRIX entries for URL patterns or methods that do not exist: {stale}"
    for key, row in MATRIX.items():
        assert set(row) == set(authz.ROLES), f"{key}: every role needs an outcome"


def expected(outcome, kind, body):
    while isinstance(outcome, dict):
        for key in (kind, body, "*"):
            if key in outcome:
                outcome = outcome[key]
                break
        else:
            raise AssertionError(f"no outcome for {kind}/{body} in {outcome}")
    return outcome


def _cases():
    for name, method in MATRIX:
        endpoint = DISCOVERED.get((name, method))
        if endpoint is None:
            continue  # reported by test_every_url_and_method_is_in_the_matrix
        for role in authz.ROLES:
            for kind in authz.object_kinds(endpoint):
                for body in authz.bodies(method):
                    yield pytest.param(
                        name, method, role, kind, body,
                        id=f"{name} {method} {role} {kind or '-'} {body}",
                    )  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at the end; each test runs
    in a savepoint inside it (the ``db`` fixture), so what one request changes the next
    never sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield authz.build_world()
        transaction.set_rollback(True)


def _request(world, endpoint, method, role, kind, body):
    if endpoint.name == authz.ADMIN:
        paths = [reverse(name) for name in authz.ADMIN_PATHS]
    else:
        paths = [authz.path_for(endpoint, world, kind, role)]
    return [(path, authz.send(world.client(role), endpoint, method, path, body)) for path in paths]


def _leaks(text: str, may_see: set[str]) -> list[str]:
    return sorted(
        name for name, marker in authz.markers().items() if name not in may_see and marker in text
    )


@pytest.mark.parametrize(("name", "method", "role", "kind", "body"), list(_cases()))
def test_matrix(world, db, name, method, role, kind, body):
    want = expected(MATRIX[(name, method)][role], kind, body)
    may_see = set() if want in REFUSED else authz.MAY_SEE[role]

    for path, response in _request(world, DISCOVERED[(name, method)], method, role, kind, body):
        got = authz.outcome(response)
        leaks = _leaks(authz.body_text(response), may_see)
        # Both at once: a wrong status that also shows case data says so.
        assert (got, leaks) == (want, []), (
            f"{method} {path} as {role} ({kind}, {body}): {got} (expected {want})"
            + (f", showing {leaks}" if leaks else "")
        )


# Where each marker does show, so that its absence everywhere else means something.
SHOWN = {
    ("triage:referral", "screener", "own"): (
        "own.reference", "own.child", "own.worry", "note", "quality", "recommendation",
        "answer", "question", "explanation",
    ),
    ("triage:referral", "manager", "decided"): ("decided.reference", "rationale", "impact"),
    ("triage:decide", "manager", "decided"): ("decided.reference", "rationale", "impact"),
    ("triage:decide", "manager", "own"): ("own.reference", "own.worry", "explanation"),
    ("triage:referral", "auditor", "other"): (
        "other.reference", "other.child", "other.worry", "other.note", "other.answer",
        "other.explanation",
    ),
    ("api-referral", "referrer", "decided"): ("decided.reference", "decided.child", "feedback"),
    ("api-referral", "agency_lead", "colleague"): ("colleague.reference", "colleague.child"),
    ("requests:detail", "partner", "own"): (
        "own.reference", "own.child", "question", "household",
    ),
    ("referrals:detail", "referrer", "own"): (
        "own.reference", "own.child", "own.worry", "household", "household.risk",
    ),
    ("referrals:detail", "referrer", "decided"): ("decided.reference", "feedback"),
    ("referrals:detail", "agency_lead", "colleague"): (
        "colleague.reference", "colleague.child", "colleague.worry",
    ),
    ("challenges:detail", "referrer", "own"): ("own.challenge",),
    ("challenges:detail", "manager", "other"): ("other.challenge",),
    ("api-strategy-discussion", "auditor", "own"): ("discussion",),
    ("api-strategy-discussion", "screener", "other"): ("other.discussion",),
    ("strategy:detail", "manager", "own"): ("discussion",),
    ("strategy:print", "auditor", "other"): ("other.discussion",),
    ("history:referral", "auditor", "own"): (
        "own.reference", "own.child", "own.worry", "note", "quality", "recommendation",
        "answer", "question", "household", "household.risk",
    ),
    ("history:referral", "manager", "other"): ("other.reference", "other.note", "other.answer"),
    ("history:child", "manager", "own"): ("own.child",),
    ("history:decision", "auditor", "own"): (
        "decided.reference", "rationale", "impact", "feedback",
    ),
    ("history:discussion", "manager", "own"): ("discussion",),
    ("history:challenge", "auditor", "other"): ("other.challenge",),
}  # fmt: skip


@pytest.mark.parametrize(("name", "role", "kind"), list(SHOWN), ids=[" ".join(k) for k in SHOWN])
def test_the_markers_show_where_they_may(world, db, name, role, kind):
    [(_, response)] = _request(world, DISCOVERED[(name, "GET")], "GET", role, kind, authz.PLAIN)

    assert response.status_code == 200
    text = authz.body_text(response)
    markers = authz.markers()
    assert [m for m in SHOWN[(name, role, kind)] if markers[m] not in text] == []


# --- Methods a view does not accept --------------------------------------------------------


# Sign-in sends a signed-in user home before it looks at the method.
NOT_ACCEPTED = {"login": {**dict.fromkeys(authz.ROLES, 302), "anonymous": 405}}


def _unaccepted():
    """Each method an address does not accept, tried by the roles the table lets use it
    (for everyone else the role check refuses first): proves the discovery right."""
    by_name: dict[str, dict[str, dict]] = {}
    for (name, method), row in MATRIX.items():
        if (name, method) in DISCOVERED and name != authz.ADMIN:
            by_name.setdefault(name, {})[method] = row
    for name, rows in by_name.items():
        endpoint = DISCOVERED[(name, next(iter(rows)))]
        users = {
            role
            for method, row in rows.items()
            for role in authz.ROLES
            for kind in authz.object_kinds(endpoint)
            for body in authz.bodies(method)
            if expected(row[role], kind, body) not in REFUSED
        }
        for method in sorted(set(authz.METHODS) - set(rows)):
            for role in sorted(users):
                yield pytest.param(name, method, role, id=f"{name} {method} {role}")


@pytest.mark.parametrize(("name", "method", "role"), list(_unaccepted()))
def test_a_method_not_accepted_is_405(world, db, name, method, role):
    endpoint = next(e for (n, _), e in DISCOVERED.items() if n == name)
    kind = authz.object_kinds(endpoint)[0]
    body = authz.bodies(method)[0]
    want = NOT_ACCEPTED.get(name, {}).get(role, 405)

    [(path, response)] = _request(world, endpoint, method, role, kind, body)

    assert response.status_code == want, f"{method} {path} as {role}: {response.status_code}"
    assert not _leaks(authz.body_text(response), set())


# --- Lists ---------------------------------------------------------------------------------

# Whose rows each list shows each role, by referral kind; every other kind's reference
# must be absent for the roles scoped to an agency.
LISTS = {
    ("referrals:mine", "referrer"): ("own", "decided"),
    ("referrals:mine", "agency_lead"): ("own", "colleague", "decided"),
    ("api-referrals", "referrer"): ("own", "decided"),
    ("api-referrals", "agency_lead"): ("own", "colleague", "decided"),
    ("api-referrals", "partner"): (),
    ("requests:list", "partner"): ("own",),
    ("inbox", "referrer"): ("own",),
    ("inbox", "partner"): ("own",),
    ("api-notifications", "referrer"): ("own",),
    ("api-notifications", "partner"): ("own",),
    ("triage:queue", "screener"): ("own", "colleague", "other"),
    ("api-referrals", "auditor"): ("own", "colleague", "other", "decided"),
}


@pytest.mark.parametrize(("name", "role"), list(LISTS), ids=[f"{n} {r}" for n, r in LISTS])
def test_lists_show_the_rows_in_scope_and_no_others(world, db, name, role):
    response = world.client(role).get(reverse(name))

    assert response.status_code == 200
    text = authz.body_text(response)
    shown = {kind for kind, (reference, _, _) in authz.REFERRALS.items() if reference in text}
    if role in authz.SCOPED_ROLES:
        assert shown == set(LISTS[(name, role)])
    else:
        assert shown >= set(LISTS[(name, role)])


def test_marking_another_users_notice_read_changes_nothing(world, db):
    notices = world.objects["notification"]

    world.client("referrer").post(reverse("inbox-read"), {"notification": notices["other"]})

    assert Notification.objects.get(pk=notices["other"]).read_at is None
    world.client("referrer").post(reverse("inbox-read"), {"notification": notices["own"]})
    assert Notification.objects.get(pk=notices["own"]).read_at is not None
