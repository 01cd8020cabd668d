from datetime import timedelta

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from stats import services
from stats.models import PageView

REPORT_DAYS = 30


@admin.register(PageView)
class PageViewAdmin(admin.ModelAdmin):
    list_display = ["day", "path", "views", "address", "referrer_host", "is_bot"]
    list_filter = ["is_bot", "day"]
    search_fields = ["path", "referrer_host"]
    date_hierarchy = "day"
    change_list_template = "admin/stats/pageview/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        report = path("report/", self.admin_site.admin_view(self.report_view), name="stats_pageview_report")
        return [report, *super().get_urls()]

    def report_view(self, request):
        """Views per day (an SVG chart drawn here, no script) and per page, last REPORT_DAYS days."""
        since = timezone.now().date() - timedelta(days=REPORT_DAYS - 1)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Page views, last {REPORT_DAYS} days",
            "chart": services.daily_chart(REPORT_DAYS),
            "pages": services.views_per_page(since),
        }
        return TemplateResponse(request, "admin/stats/pageview/report.html", context)
