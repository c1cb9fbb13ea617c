"""The administrators' list of email notices (Django admin), read only: where the inbox
notice of an email that failed for good (NoticeKind.EMAIL_FAILED) takes them. Sending a
failed email again is done on the server, ``manage.py notices --retry``, once the mail
server or the address is mended; nothing here changes a notice."""

from django.contrib import admin

from agencies.admin_site import PolicyModelAdmin
from notices.models import Notification


@admin.register(Notification)
class EmailNoticeAdmin(PolicyModelAdmin):
    """Emails by number, kind, status, attempts and last error, filtered by status (the
    failed ones: ``?status__exact=failed``). Ids only: no subject, body or link (they
    carry the referral's reference, and the administrator has no case access) and no
    address; the recipient by their account's number."""

    list_display = ["id", "kind", "recipient_id", "status", "attempts", "created_at", "error"]
    list_filter = ["status", "kind"]
    # No search box: what is typed would travel in the URL (see agencies.admin.UserAdmin).
    fields = [
        "id",
        "key",
        "kind",
        "recipient_id",
        "status",
        "attempts",
        "created_at",
        "claimed_at",
        "retried_at",
        "sent_at",
        "last_error",
    ]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
    list_select_related = ["event"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(channel=Notification.Channel.EMAIL)

    @admin.display(description="Key")
    def key(self, notice: Notification) -> str:
        return notice.event.key

    @admin.display(description="Last error")
    def error(self, notice: Notification) -> str:
        return notice.last_error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
