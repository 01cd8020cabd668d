from django.contrib import admin
from django.utils.html import format_html, format_html_join

from feedback.models import Message
from feedback.services import split_bidi_controls

SHORT_MESSAGE_LENGTH = 60
# Words stay whole, in a box at least 12em wide ("anywhere" let a column shrink to 5 characters);
# a word too long for 36em (a long address) breaks rather than pushing the list's other columns
# out of view. vw, not %, for a phone: a percentage of a table cell is no limit to its width.
WRAPPING = "display: inline-block; min-width: 12em; max-width: min(36em, 90vw); overflow-wrap: break-word;"


def shown(text, *, keep_line_breaks=False):
    """A visitor's text for the operator's pages: escaped, isolated from what surrounds it
    (<bdi>), and with each control character shown as its code point, not obeyed, so that
    the text reads as it was typed; "\\u202egro.elpmaxe@liam" no longer shows as
    "mail@example.org". None for no text: the admin shows its sign for an empty value."""
    if not text:
        return None
    style = WRAPPING + (" white-space: pre-wrap;" if keep_line_breaks else "")
    return format_html('<bdi style="{}">{}</bdi>', style, format_html_join("", "{}", (
        (format_html('<code title="control character">{}</code>', f"[U+{ord(piece):04X}]") if is_control
         else piece,) for piece, is_control in split_bidi_controls(text))))


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["received", "short_message", "shown_reply_to", "language", "handled"]
    list_filter = ["handled", "language"]
    list_editable = ["handled"]
    search_fields = ["message", "reply_to"]
    fields = ["shown_message", "shown_reply_to", "language", "received", "handled"]
    readonly_fields = ["shown_message", "shown_reply_to", "language", "received"]
    date_hierarchy = "received"

    @admin.display(description="message")
    def short_message(self, message):
        text = message.message
        if len(text) > SHORT_MESSAGE_LENGTH:
            text = text[:SHORT_MESSAGE_LENGTH].rstrip() + "…"
        return shown(text)

    @admin.display(description="message")
    def shown_message(self, message):
        return shown(message.message, keep_line_breaks=True)

    @admin.display(description="reply to", ordering="reply_to")
    def shown_reply_to(self, message):
        return shown(message.reply_to)

    def has_add_permission(self, request):
        return False
