"""The front door's pages, in groups the project mounts: the queue and screening
(``triage:``), children's chronologies (``children:``), partners' information requests
(``requests:``), strategy discussions (``strategy:``) and challenges to decisions
(``challenges:``)."""

from django.urls import path

from triage import (
    break_glass_views,
    challenge_views,
    child_views,
    requests_views,
    screening_views,
    strategy_list_views,
    strategy_views,
)

queue = [
    path("", screening_views.queue, name="queue"),
    path("referrals/<int:referral_id>/", screening_views.referral_detail, name="referral"),
    path("referrals/<int:referral_id>/claim/", screening_views.claim, name="claim"),
    path("referrals/<int:referral_id>/allocate/", screening_views.allocate, name="allocate"),
    path("referrals/<int:referral_id>/notes/", screening_views.add_note, name="note"),
    path("referrals/<int:referral_id>/quality/", screening_views.rate_quality, name="quality"),
    path("referrals/<int:referral_id>/link-child/", screening_views.link_child, name="link-child"),
    path(
        "referrals/<int:referral_id>/unlink-child/",
        screening_views.unlink_child,
        name="unlink-child",
    ),
    path(
        "referrals/<int:referral_id>/create-child/",
        screening_views.create_child,
        name="create-child",
    ),
    path("referrals/<int:referral_id>/recommend/", screening_views.recommend, name="recommend"),
    path("referrals/<int:referral_id>/decide/", screening_views.decide, name="decide"),
    path("referrals/<int:referral_id>/amend/", screening_views.amend, name="amend"),
    path(
        "referrals/<int:referral_id>/break-glass/",
        break_glass_views.referral_reason,
        name="break-glass",
    ),
]

children = [
    path("<int:child_id>/", child_views.child_chronology, name="chronology"),
    path("<int:child_id>/break-glass/", break_glass_views.child_reason, name="break-glass"),
]

requests = [
    path("", requests_views.request_list, name="list"),
    path("<int:request_id>/", requests_views.request_detail, name="detail"),
    path("send/<int:referral_id>/", requests_views.send, name="send"),
]

challenges = [
    path("", challenge_views.challenge_list, name="list"),
    path("raise/<int:referral_id>/", challenge_views.raise_challenge, name="raise"),
    path(
        "raise/discussion/<int:discussion_id>/",
        challenge_views.raise_on_discussion,
        name="raise-discussion",
    ),
    path("<int:challenge_id>/", challenge_views.challenge_detail, name="detail"),
    path("<int:challenge_id>/respond/", challenge_views.respond, name="respond"),
    path("<int:challenge_id>/reply/", challenge_views.reply, name="reply"),
    path("<int:challenge_id>/escalate/", challenge_views.escalate, name="escalate"),
    path("<int:challenge_id>/resolve/", challenge_views.resolve, name="resolve"),
    path(
        "<int:challenge_id>/break-glass/",
        challenge_views.break_glass_reason,
        name="break-glass",
    ),
]

strategy = [
    path("", strategy_list_views.discussion_list, name="list"),
    path("new/<int:referral_id>/", strategy_views.convene, name="convene"),
    path("new/<int:referral_id>/warnings/", strategy_views.warnings, name="warnings"),
    path("<int:discussion_id>/", strategy_views.detail, name="detail"),
    path("<int:discussion_id>/print/", strategy_views.print_minutes, name="print"),
    path("<int:discussion_id>/attendees/", strategy_views.change_attendees, name="attendees"),
    path("<int:discussion_id>/decisions/", strategy_views.add_decision, name="decision"),
    path(
        "<int:discussion_id>/information/",
        strategy_views.add_contribution,
        name="information",
    ),
    path("<int:discussion_id>/actions/", strategy_views.add_action, name="action"),
    path("<int:discussion_id>/actions/done/", strategy_views.action_done, name="action-done"),
    path("<int:discussion_id>/minutes/", strategy_views.minutes, name="minutes"),
    path("<int:discussion_id>/outcome/", strategy_views.outcome, name="outcome"),
    path("<int:discussion_id>/child-seen/", strategy_views.child_seen, name="child-seen"),
    path(
        "<int:discussion_id>/break-glass/",
        strategy_views.break_glass_reason,
        name="break-glass",
    ),
]
