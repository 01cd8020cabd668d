"""The operator's console: Django's admin, with failed logins limited per client address like
the vault's (accounts/ratelimit.py). The admin holds feedback, diagnostic logs and statistics,
and its login page is as public as the site."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpResponse
from django.utils.translation import gettext as _

from accounts import ratelimit
from anoni.api import ApiError

ADMIN_LOGIN_FAILURES_PER_ADDRESS = ratelimit.Limit("admin-login-failures-address",
                                                   "ANONI_ADMIN_LOGIN_FAILURES_PER_ADDRESS")


class AnoniAdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        if request.method != "POST":
            return super().login(request, extra_context)
        try:
            reservation = ratelimit.reserve(ADMIN_LOGIN_FAILURES_PER_ADDRESS, ratelimit.client_network(request))
        except ApiError as refused:
            return HttpResponse(_("Too many failed logins from this address; try again later."),
                                status=refused.status_code, content_type="text/plain; charset=utf-8",
                                headers=refused.headers)
        response = super().login(request, extra_context)
        if request.user.is_authenticated and request.user.is_active and request.user.is_staff:
            ratelimit.release(reservation)  # only failures count
        return response


class AnoniAdminConfig(AdminConfig):
    default_site = "anoni.admin_site.AnoniAdminSite"

