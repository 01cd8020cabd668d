"""The vault page's dialogs share one Bootstrap modal shell: `{% dialog %}` draws it around what
differs between them.

    {% dialog "move-dialog" submit=_("Move") %}
      <div class="modal-body">…</div>
    {% enddialog %}

draws a modal `move-dialog` whose heading is `move-dialog-title` (empty unless `title` is given:
the page sets some headings itself), with a closing button, the content (the body, and a footer
of its own if it needs one), then, when `submit` is given, the usual footer: Cancel and a submit
button of that label (`submit_class`, `submit_disabled`); with `focus_cancel`, the dialog opens
on Cancel (a confirmation of something destructive, where Enter should do no harm). `size` adds
classes to the modal-dialog element (e.g. "modal-lg")."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_block_tag
def dialog(content, id, title="", submit="", submit_class="btn-primary", submit_disabled=False,
           focus_cancel=False, size=""):
    return render_to_string("webclient/dialog.html", {
        "content": content, "id": id, "title": title, "submit": submit, "submit_class": submit_class,
        "submit_disabled": submit_disabled, "focus_cancel": focus_cancel, "size": size})
