import math

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.ratelimit import client_network
from anoni.api import ApiError
from feedback import services
from feedback.forms import ContactForm


def _from_our_origin(request):
    """True when the browser says the POST comes from one of our own pages. The contact page is
    served with `Referrer-Policy: same-origin`, so a browser sends our origin in `Origin`; a
    browser too old for `Origin` sends `Referer` instead. Neither header: not a form of ours."""
    ours = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return origin in ours
    referer = request.META.get("HTTP_REFERER", "")
    return any(referer.startswith(f"{trusted}/") for trusted in ours)


def _contact_page(request, form, status=200):
    response = render(request, "feedback/contact.html", {"form": form}, status=status)
    response["Referrer-Policy"] = "same-origin"
    return response


def _form_again(request, error=None):
    """The form again, with what was typed, its errors and a fresh token."""
    data = request.POST.copy()
    data["token"] = services.issue_form_token()
    form = ContactForm(data)
    if error:
        form.add_error(None, error)
    return form


def _rate_limited(request, error):
    """The form again, so that the visitor's text is not lost, with the time left to wait. Nothing
    is stored."""
    retry_after = error.headers["Retry-After"]
    minutes = math.ceil(int(retry_after) / 60)
    form = _form_again(request, ngettext(
        "Several messages have already been sent from your address. Your text is still here: "
        "please send it again in %(minutes)d minute.",
        "Several messages have already been sent from your address. Your text is still here: "
        "please send it again in %(minutes)d minutes.",
        minutes) % {"minutes": minutes})
    response = _contact_page(request, form, status=429)
    response["Retry-After"] = retry_after
    return response


def _accept(request, form, address):
    """Stores a valid submission, unless it is a bot's, and counts it against the address; None if
    the token is not acceptable."""
    try:
        services.use_form_token(form.cleaned_data["token"])
    except services.InvalidToken:
        return None
    try:
        services.count_post(address)
    except ApiError as error:
        return _rate_limited(request, error)
    if not form.cleaned_data["website"]:
        services.store_message(
            message=form.cleaned_data["message"], reply_to=form.cleaned_data["reply_to"], language=get_language())
    # A bot that filled the honeypot is thanked like anyone else, so it learns nothing.
    response = redirect("feedback:thanks")
    response.status_code = 303
    return response


# Not Django's CSRF middleware: it needs a cookie, and visitors get none (see feedback.services).
# Never cached: each page carries its own single-use token.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    if request.method != "POST":
        return _contact_page(request, ContactForm(initial={"token": services.issue_form_token()}))
    if not _from_our_origin(request):
        return render(request, "feedback/refused.html", status=403)
    address = client_network(request)
    try:
        services.check_posts_left(address)
    except ApiError as error:
        return _rate_limited(request, error)
    form = ContactForm(request.POST)
    token_refused = "token" in form.errors
    if form.is_valid():
        accepted = _accept(request, form, address)
        if accepted:
            return accepted
        token_refused = True
    expired = gettext("This form has expired. Your text is still here: please send it again.")
    return _contact_page(request, _form_again(request, expired if token_refused else None), status=400)


def thanks(request):
    return render(request, "feedback/thanks.html")
