"""Pieces shared by the apps' admin pages (the operator's console)."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the operator reads but never adds or edits. Deletion is refused too unless a
    subclass allows it: erasing vault data must go through the services (stored objects, cache
    keys), which an admin delete would bypass."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
