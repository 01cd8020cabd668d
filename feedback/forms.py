from django import forms
from django.utils.translation import gettext_lazy as _


class ContactForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    reply_to = forms.CharField(
        label=_("How to reach you (optional)"), max_length=200, required=False,
        help_text=_("An e-mail address, a chat handle or anything else; leave it empty to stay unreachable."))
    # Hidden from people by CSS (class "hp-field"); a bot that fills every input gives itself away.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
