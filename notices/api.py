"""The notifications API: the caller's in-app notices, newest first."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from notices.models import Notification
from notices.services import inbox_for


class NotificationSerializer(serializers.ModelSerializer):
    referral = serializers.IntegerField(
        source="event.referral_id",
        allow_null=True,
        read_only=True,
        help_text="The id of the referral the notice is about, where there is one.",
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "referral", "subject", "body", "link", "created_at", "read_at"]
        extra_kwargs = {
            "kind": {
                "help_text": "What the notice is: acknowledgement, due_soon, overdue, "
                "escalation, feedback, information_request, "
                "information_request_overdue."
            },
            "subject": {"help_text": "One line: the kind and the referral's reference."},
            "body": {"help_text": "The notice. It never carries a child's name or case details."},
            "link": {"help_text": "Where to read more, after signing in."},
            "created_at": {"help_text": "When the notice was written."},
            "read_at": {"help_text": "When the user marked it read; null while unread."},
        }


class NotificationList(generics.ListAPIView):
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return inbox_for(self.request.user).select_related("event")

    @extend_schema(summary="Your notices", description="Your in-app notices, newest first.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
