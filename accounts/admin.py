"""The operator's view of accounts and sessions: read-only, and never a salt, verifier or
wrapped key (they are excluded from every page, list and form)."""

from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat

from accounts import sessions
from accounts.models import Account, Session
from anoni.admin import ReadOnlyAdmin
from documents import services as documents_services


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["username", "id", "created", "last_login", "storage_used"]
    fields = ["username", "id", "created", "last_login", "kdf_iterations", "storage_used"]
    readonly_fields = fields
    search_fields = ["username"]

    @admin.display(description="storage used")
    def storage_used(self, account):
        return filesizeformat(documents_services.used_bytes(account))


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "created", "expires_at", "expired"]
    fields = ["id", "account", "created", "expires_at", "expired"]
    readonly_fields = fields
    list_select_related = ["account"]
    actions = ["end_selected_sessions"]

    @admin.display(boolean=True, description="expired")
    def expired(self, session):
        return sessions.is_expired(session)

    @admin.action(description="End selected sessions")
    def end_selected_sessions(self, request, queryset):
        ended = sessions.end_sessions(queryset)
        self.message_user(request, f"{ended} session(s) ended.", messages.SUCCESS)
