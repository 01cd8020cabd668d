import json
import unicodedata
from datetime import UTC, datetime

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from anoni.admin import ReadOnlyAdmin
from diagnostics.models import ApiRequest, ClientLog, ServerError

# Django's admin puts a read-only field in a row that hides what overflows it: a <pre> left to
# grow as wide as its longest line cut that line off, unreadable. The admin loads no stylesheet
# of ours, and its CSP allows inline styles.
WRAPPING_PRE = "white-space: pre-wrap; overflow-wrap: anywhere; margin: 0;"


class EvidenceAdmin(ReadOnlyAdmin):
    """Records are evidence: the operator reads and deletes them, never edits or invents them."""

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def response_delete(self, request, obj_display, obj_id):
        """Back to the list the record was in. Django goes there only for an admin that may
        change records, and to the admin's index otherwise: these may only be viewed."""
        response = super().response_delete(request, obj_display, obj_id)
        if IS_POPUP_VAR in request.POST or not self.has_view_permission(request):
            return response
        changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                             current_app=self.admin_site.name)
        return HttpResponseRedirect(add_preserved_filters(
            {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}, changelist))


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
        return format_html('<pre style="{}">{}</pre>', WRAPPING_PRE, error.traceback)


def entry_time(milliseconds):
    """An entry's "t" (milliseconds since the epoch, as the vault sends it) as an ISO time in UTC,
    or None for a time no datetime holds (the API accepts up to 2**53 ms, past the year 9999)."""
    try:
        moment = datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def visible_format_characters(text):
    """JSON text with its invisible format characters (Unicode category Cf: bidirectional
    controls, zero-width spaces and joiners) as \\u escapes: a right-to-left override in a
    detail would otherwise show the operator the rest of the line reversed."""
    return "".join(f"\\u{ord(char):04x}" if unicodedata.category(char) == "Cf" else char for char in text)


def entries_text(entries):
    """One line per entry, as the client sent it in JSON, after its time in UTC."""
    lines = []
    for entry in entries:
        time = entry_time(entry.get("t")) if isinstance(entry, dict) else None
        shown = visible_format_characters(json.dumps(entry, ensure_ascii=False))
        lines.append(f"{time or '?'}  {shown}")
    return "\n".join(lines)


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
        return format_html('<pre style="{}">{}</pre>', WRAPPING_PRE, entries_text(log.entries))
