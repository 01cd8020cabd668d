"""Self-hosted page statistics: which public pages are read, how often, from roughly where.

What is counted: successful (200) GETs answered with an HTML page under a language prefix, i.e.
the public site's pages, the blog and the vault's page itself. Not counted: the API, the admin,
static files, feeds, the vault's own requests, redirects (such as the language choice), errors,
a browser's prefetches and the operator's own readings (staff logged in to the admin). Nothing
is set in the browser and no fingerprint is taken: a row is (day, path, anonymised address,
referring host, bot or not) with a counter.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.ratelimit import network_of
from stats.models import PageView

LANGUAGE_PREFIXES = tuple(f"/{code}/" for code, _ in settings.LANGUAGES)
# Crawlers, feed readers, link previewers, command-line tools and headless browsers. Most say
# "bot", "preview" or "fetch"; the second line names the previewers that do not: what a chat or
# a social network fetches to show a link (Facebook's, Mastodon's servers' Ruby client, WhatsApp,
# Slack's image proxy, Pinterest, Iframely, Embedly, Matrix's Synapse) and Google's tools that
# are no search crawler (GoogleOther, the Search Console's Google-InspectionTool).
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|scrape|preview|monitor|headless|phantomjs|selenium|"
    r"lighthouse|curl|wget|httpie|python|httpx|aiohttp|go-http|java/|okhttp|libwww|scrapy|feed|"
    r"externalhit|meta-externalagent|mastodon|http\.rb|whatsapp|slack|pinterest|iframely|embedly|"
    r"synapse|googleother|google-inspectiontool",
    re.IGNORECASE)
# A browser that fetches a page ahead in case it is opened next says so (Chrome and Firefox in
# Sec-Purpose, older ones in Purpose or X-Moz): nobody has read it yet, and if the page is then
# opened it is shown from that copy without another request, so such fetches are never counted.
PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
HOST_NAME = re.compile(r"[a-z0-9.-]{1,253}")


def anonymise_address(address):
    """IPv4 with its last octet zeroed, IPv6 cut to its /48 network; an IPv4 address mapped into
    IPv6 (::ffff:a.b.c.d) is treated as the IPv4 address it is. Unparsable input gives ""."""
    return network_of(address.strip(), ipv4_prefix=24, ipv6_prefix=48) or ""


def is_bot(user_agent):
    return not user_agent.strip() or bool(BOT_AGENT.search(user_agent))


def referrer_host(referer, own_host):
    """The referring site's host name, without path or query; "" for none, ourselves or junk."""
    try:
        host = (urlsplit(referer).hostname or "").lower()
    except ValueError:
        return ""
    if not HOST_NAME.fullmatch(host) or host == own_host:
        return ""
    return host


def is_prefetch(request):
    """Whether the browser only fetched the page ahead ("prefetch", "prefetch;prerender", or
    Safari's old "preview"), rather than for someone opening it."""
    for header in PREFETCH_HEADERS:
        tokens = {token.strip().lower() for token in request.META.get(header, "").split(";")}
        if tokens & {"prefetch", "prerender", "preview"}:
            return True
    return False


def is_countable(request, response):
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if is_prefetch(request):
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if not request.path.startswith(LANGUAGE_PREFIXES):
        return False
    # The vault's page counts as a page; whatever the vault itself fetches below it does not.
    below_language = request.path.split("/", 2)[2]
    if below_language.startswith("app/") and below_language != "app/":
        return False
    # The operator's own readings, drafts previewed among them, are not the public's. Asked last,
    # of a site page only: only a request with a session cookie looks the user up, and on the
    # API request.user is the vault's account (signed requests), which is no staff.
    return not getattr(getattr(request, "user", None), "is_staff", False)


def record_page_view(*, path, address, user_agent, referer, own_host):
    bucket = {
        "day": timezone.now().date(),
        "path": path[:500],
        "address": anonymise_address(address),
        "referrer_host": referrer_host(referer, own_host),
        "is_bot": is_bot(user_agent),
    }
    with transaction.atomic():
        view, created = PageView.objects.get_or_create(**bucket)
        if not created:
            PageView.objects.filter(pk=view.pk).update(views=F("views") + 1)


def views_per_page(since):
    """[(path, human views, bot views, distinct anonymised addresses of humans)], busiest first."""
    rows = (PageView.objects.filter(day__gte=since).values("path")
            .annotate(humans=Sum("views", filter=Q(is_bot=False), default=0),
                      bots=Sum("views", filter=Q(is_bot=True), default=0),
                      networks=Count("address", filter=Q(is_bot=False), distinct=True))
            .order_by("-humans", "-bots", "path"))
    return list(rows)


def views_per_day(days):
    """[{day, humans, bots}] for each of the last `days` days, today included, zeros filled in."""
    today = timezone.now().date()
    first = today - timedelta(days=days - 1)
    totals = {
        row["day"]: row for row in PageView.objects.filter(day__gte=first).values("day").annotate(
            humans=Sum("views", filter=Q(is_bot=False), default=0),
            bots=Sum("views", filter=Q(is_bot=True), default=0))
    }
    return [
        {"day": day, "humans": totals.get(day, {}).get("humans", 0), "bots": totals.get(day, {}).get("bots", 0)}
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]


CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN = 720, 240, 32


def daily_chart(days):
    """Geometry of an SVG bar chart of views per day: humans and bots stacked, bots on top."""
    series = views_per_day(days)
    peak = max([row["humans"] + row["bots"] for row in series] + [1])
    plot_height = CHART_HEIGHT - 2 * CHART_MARGIN
    slot = (CHART_WIDTH - 2 * CHART_MARGIN) / days
    bars = []
    for index, row in enumerate(series):
        human_height = plot_height * row["humans"] / peak
        bot_height = plot_height * row["bots"] / peak
        baseline = CHART_HEIGHT - CHART_MARGIN
        bars.append({
            **row,
            "x": round(CHART_MARGIN + index * slot + slot * 0.1, 2),
            "width": round(slot * 0.8, 2),
            "human_y": round(baseline - human_height, 2),
            "human_height": round(human_height, 2),
            "bot_y": round(baseline - human_height - bot_height, 2),
            "bot_height": round(bot_height, 2),
            "label": (days - 1 - index) % 7 == 0,  # today, and every week back from it
            "label_x": round(CHART_MARGIN + index * slot + slot / 2, 2),
        })
    return {
        "bars": bars, "peak": peak, "width": CHART_WIDTH, "height": CHART_HEIGHT,
        "top": CHART_MARGIN, "baseline": CHART_HEIGHT - CHART_MARGIN, "left": CHART_MARGIN,
        "right": CHART_WIDTH - CHART_MARGIN, "label_y": CHART_HEIGHT - CHART_MARGIN + 16,
        "peak_label_y": CHART_MARGIN - 6,
    }


def purge(today=None) -> int:
    """Deletes the page views of days older than ANONI_STATS_RETENTION_DAYS, as the privacy page
    says; returns how many rows went. (Kept for ever until 2026-12, unsaid.)"""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.ANONI_STATS_RETENTION_DAYS)
    return PageView.objects.filter(day__lt=cutoff).delete()[0]
