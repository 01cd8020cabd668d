from django.contrib import admin

from feedback.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["received", "short_message", "reply_to", "language", "handled"]
    list_filter = ["handled", "language"]
    list_editable = ["handled"]
    search_fields = ["message", "reply_to"]
    readonly_fields = ["message", "reply_to", "language", "received"]
    date_hierarchy = "received"

    @admin.display(description="message")
    def short_message(self, message):
        return message.message[:60]

    def has_add_permission(self, request):
        return False
