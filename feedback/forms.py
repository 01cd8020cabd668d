from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.services import without_bidi_controls


class MessageField(forms.CharField):
    """Text from a textarea, its line breaks as LF. Browsers send them as CRLF, but count them as
    one character against the textarea's maxlength: so does max_length, after this."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


class ReplyToField(forms.CharField):
    """An address or handle without Unicode's bidirectional controls: they have no place in one,
    and would show the operator another address than the one given (the text reversed)."""

    def to_python(self, value):
        value = without_bidi_controls(super().to_python(value))
        return value.strip() if self.strip else value


class ContactForm(forms.Form):
    message = MessageField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    reply_to = ReplyToField(
        label=_("How to reach you (optional)"), max_length=200, required=False,
        help_text=_("An e-mail address, a chat handle or anything else; leave it empty to stay unreachable."))
    # Hidden from people by CSS (class "hp-field"); a bot that fills every input gives itself away.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
