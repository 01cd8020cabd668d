"""What a chat, a social network or a search engine's tool fetches to show or check a link is
counted as a bot's view, not a person's."""

import pytest

from stats.models import PageView
from stats.services import is_bot

BROWSERS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
    "Safari/537.36 Edg/130.0.0.0",
]

PREVIEWERS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
    "http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/)",
    "WhatsApp/2.23.20.0 A",
    "GoogleOther",
    "Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Slack-ImgProxy (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "TelegramBot (like TwitterBot)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 "
    "Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b",
    "Pinterest/0.2 (+https://www.pinterest.com/bot.html)",
    "Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
    "Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)",
    "Iframely/1.3.1 (+https://iframely.com/docs/about)",
    "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
    "Synapse (bot; +https://github.com/matrix-org/synapse)",
    "Synapse/1.98.0",
]


@pytest.mark.parametrize("user_agent", PREVIEWERS)
def test_a_link_previewer_is_a_bot(user_agent):
    assert is_bot(user_agent)


@pytest.mark.parametrize("user_agent", BROWSERS)
def test_a_browser_is_a_person(user_agent):
    assert not is_bot(user_agent)


@pytest.mark.parametrize("user_agent", [PREVIEWERS[0], PREVIEWERS[2], PREVIEWERS[3]])
def test_a_previewers_view_is_counted_as_a_bots(http, settings, user_agent):
    settings.ANONI_PROXY_COUNT = 1
    http.get("/en/support/", headers={"X-Forwarded-For": "203.0.113.5", "User-Agent": user_agent})
    assert list(PageView.objects.values_list("path", "is_bot", "views")) == [("/en/support/", True, 1)]
