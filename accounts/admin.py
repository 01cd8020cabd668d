"""The operator's view of accounts and sessions: read-only, and never a salt, verifier or
wrapped key (they are excluded from every page, list and form)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse

from accounts import services, sessions
from accounts.models import Account, Session
from anoni.admin import ReadOnlyAdmin
from documents import services as documents_services


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["username", "id", "created", "last_login", "storage_used"]
    fields = ["username", "id", "created", "last_login", "kdf_iterations", "storage_used"]
    readonly_fields = fields
    search_fields = ["username"]
    actions = ["erase_selected_accounts"]

    @admin.display(description="storage used")
    def storage_used(self, account):
        return filesizeformat(documents_services.used_bytes(account))

    def has_erase_permission(self, request):
        return request.user.is_superuser  # not staff who may only read accounts

    @admin.action(description="Erase selected accounts, with all their documents", permissions=["erase"])
    def erase_selected_accounts(self, request, queryset):
        """Asks first, on a page of its own; then erases through the service, so the stored
        objects go too. Nothing is written to the admin's history: an entry there would keep
        the username of an account that is meant to be gone."""
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(request, "admin/accounts/erase_confirmation.html", {
                **self.admin_site.each_context(request),
                "title": "Erase accounts?", "opts": self.model._meta, "accounts": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME})
        erased = 0
        for account in queryset:
            services.erase_account_for_operator(account)
            erased += 1
        self.message_user(request, f"{erased} account(s) erased, with their documents.", messages.SUCCESS)
        return None


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
