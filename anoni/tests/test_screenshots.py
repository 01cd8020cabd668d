"""The home page renders in Debian's Chromium at desktop and phone widths. The screenshots are
kept under artifacts/screenshots/ for people to look at."""

import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def png_pixels(data):
    """(width, height, rows of RGB(A) tuples) of an 8-bit RGB or RGBA PNG, decoded by hand."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.setdefault(kind, []).append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][0][:10])
    assert depth == 8 and colour_type in (2, 6)
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            upper_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - upper_left
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - upper_left))
                predictor = (left, up, upper_left)[distances.index(min(distances))]
                line[x] = (line[x] + predictor) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_home_page_renders(live_server, viewport):
    width, height = VIEWPORTS[viewport]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"home-{viewport}.png"
    failed_requests = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("requestfailed", lambda request: failed_requests.append(request.url))
            page.on("console", lambda message: failed_requests.append(message.text)
                    if message.type == "error" else None)
            page.goto(f"{live_server.url}/en/", wait_until="networkidle")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            hero_height = page.evaluate("document.querySelector('h1').getBoundingClientRect().height")
            page.screenshot(path=str(target))
        finally:
            browser.close()
    assert failed_requests == []  # CSP violations and failed loads are reported here
    assert overflow <= 0  # nothing sticks out sideways, at phone width too
    assert hero_height > 30
    shot_width, shot_height, rows = png_pixels(target.read_bytes())
    assert (shot_width, shot_height) == (width, height)
    colours = {}
    for row in rows[::4]:
        for pixel in row[::4]:
            colours[pixel] = colours.get(pixel, 0) + 1
    sampled = sum(colours.values())
    assert len(colours) > 50  # text, a gradient, pictures: a blank or broken page has a handful
    assert max(colours.values()) < 0.8 * sampled  # no single colour covers the page
