"""The operator sees documents and folders as opaque records: ids, owner, sizes, state, dates.
Sealed metadata and wrapped keys are never shown. Read-only: erasure goes through the API."""

from django.contrib import admin
from django.utils.html import format_html

from anoni.admin import ReadOnlyAdmin
from anoni.templatetags.site import decimal_size
from documents.models import Chunk, Document, Folder


@admin.register(Folder)
class FolderAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "parent_id", "created"]
    fields = ["id", "account", "parent", "created"]
    list_select_related = ["account"]
    search_fields = ["=id", "=account__id"]
    date_hierarchy = "created"


class ChunkInline(admin.TabularInline):
    model = Chunk
    fields = ["index", "stored_size", "etag", "stored"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="SHA-256")
    def etag(self, chunk):
        return bytes(chunk.sha256).hex()

    @admin.display(description="stored size (encrypted)")
    def stored_size(self, chunk):
        return decimal_size(chunk.size)


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    # The id shortened: whole, it pushed the dates out of view of a 1280-pixel screen.
    list_display = ["short_id", "account", "state", "chunks", "stored_size", "created", "committed"]
    list_filter = ["state"]
    fields = ["id", "account", "folder", "state", "chunks", "stored_size", "created", "committed"]
    list_select_related = ["account"]
    search_fields = ["=id", "=account__id"]
    date_hierarchy = "created"
    inlines = [ChunkInline]

    @admin.display(description="id", ordering="id")
    def short_id(self, document):
        return format_html('<span title="{}">{}…</span>', document.id, str(document.id)[:8])

    @admin.display(description="stored size (encrypted)", ordering="size")
    def stored_size(self, document):
        # In decimal units, as the account's "storage used" and the vault show it.
        return decimal_size(document.size)
