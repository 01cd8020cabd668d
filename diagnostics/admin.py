import json

from django.contrib import admin
from django.utils.html import format_html

from anoni.admin import ReadOnlyAdmin
from diagnostics.models import ApiRequest, ClientLog, ServerError


class EvidenceAdmin(ReadOnlyAdmin):
    """Records are evidence: the operator reads and deletes them, never edits or invents them."""

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(ApiRequest)
class ApiRequestAdmin(EvidenceAdmin):
    list_display = ["time", "address", "method", "path", "status", "duration_ms"]
    list_filter = ["status", "method"]
    search_fields = ["address", "path"]
    date_hierarchy = "time"


@admin.register(ServerError)
class ServerErrorAdmin(EvidenceAdmin):
    list_display = ["time", "exception_type", "method", "path"]
    list_filter = ["exception_type"]
    search_fields = ["path", "exception_type", "traceback"]
    date_hierarchy = "time"
    fields = ["time", "exception_type", "method", "path", "formatted_traceback"]

    @admin.display(description="traceback")
    def formatted_traceback(self, error):
        return format_html("<pre>{}</pre>", error.traceback)


@admin.register(ClientLog)
class ClientLogAdmin(EvidenceAdmin):
    list_display = ["received", "client_version", "entry_count", "user_agent"]
    search_fields = ["client_version", "user_agent"]
    date_hierarchy = "received"
    fields = ["id", "received", "client_version", "user_agent", "formatted_entries"]

    @admin.display(description="entries")
    def entry_count(self, log):
        return len(log.entries)

    @admin.display(description="entries")
    def formatted_entries(self, log):
        return format_html("<pre>{}</pre>", json.dumps(log.entries, indent=2, ensure_ascii=False))
