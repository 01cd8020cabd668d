"""The operator's view of accounts and sessions: read-only, and never a salt, verifier or
wrapped key (they are excluded from every page, list and form)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from accounts import services, sessions
from accounts.models import Account, Session
from anoni.admin import ReadOnlyAdmin
from anoni.templatetags.site import decimal_size
from documents import services as documents_services
from documents.models import Document


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["username", "id", "created", "last_login", "storage_used"]
    fields = ["username", "id", "created", "last_login", "erasure_started", "kdf_iterations", "storage_used"]
    readonly_fields = fields + ["documents_link", "sessions_link"]
    search_fields = ["username"]
    actions = ["erase_selected_accounts"]

    def get_fields(self, request, obj=None):
        """The links to an account's documents and sessions only where their lists exist and the
        operator may see them."""
        return self.fields + [f"{model._meta.model_name}s_link" for model in (Document, Session)
                              if self.admin_site.is_registered(model)
                              and self.admin_site.get_model_admin(model).has_view_permission(request)]

    @admin.display(description="storage used")
    def storage_used(self, account):
        # In decimal units (1 MB = 1,000,000 bytes), as the vault shows the account's user.
        return decimal_size(documents_services.used_bytes(account))

    @admin.display(description="documents")
    def documents_link(self, account):
        return self._filtered_list_link(Document, account, account.documents.count(), "document")

    @admin.display(description="sessions")
    def sessions_link(self, account):
        return self._filtered_list_link(Session, account, account.sessions.count(), "session")

    def _filtered_list_link(self, model, account, count, noun):
        # account__exact, not account__id__exact: the admin refuses a lookup across a relation
        # that is not one of the list's filters.
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist",
                      current_app=self.admin_site.name)
        return format_html('<a href="{}?account__exact={}">{} {}{}</a>', url, account.pk, count, noun,
                           "" if count == 1 else "s")

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


class ActiveSessionFilter(admin.SimpleListFilter):
    title = "active"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        first_active = sessions.first_active_created()
        if self.value() == "yes":
            return queryset.filter(created__gte=first_active)
        return queryset.filter(created__lt=first_active)


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "created", "expires_at", "active"]
    fields = ["id", "account", "created", "expires_at", "active"]
    readonly_fields = fields
    list_filter = [ActiveSessionFilter]
    list_select_related = ["account"]
    actions = ["end_selected_sessions"]

    # A tick for a session still in use: one for "expired" read as all being well.
    @admin.display(boolean=True, description="active")
    def active(self, session):
        return not sessions.is_expired(session)

    @admin.action(description="End selected sessions")
    def end_selected_sessions(self, request, queryset):
        ended = sessions.end_sessions(queryset)
        self.message_user(request, f"{ended} session(s) ended.", messages.SUCCESS)
