"""The admin's list of messages shows the start of each, marked as cut where it is, in a
column that wraps: one long unbroken message does not push the other columns out of view."""

import re

from feedback.models import Message


def _message_cells(listing):
    return re.findall(r'<td class="field-short_message">(.*?)</td>', listing, re.S)


def test_a_long_message_is_cut_with_an_ellipsis_and_a_short_one_is_not(operator_http):
    Message.objects.create(message="x" * 61, language="en")
    Message.objects.create(message="y" * 60, language="en")
    cells = _message_cells(operator_http.get("/admin/feedback/message/").text)
    assert len(cells) == 2
    assert any("x" * 60 + "…" in cell and "x" * 61 not in cell for cell in cells)
    assert any("y" * 60 in cell and "…" not in cell for cell in cells)


def test_the_message_and_reply_to_columns_wrap(operator_http):
    Message.objects.create(message="z" * 5000, reply_to="r" * 200, language="en")
    listing = operator_http.get("/admin/feedback/message/").text
    for column in ("short_message", "shown_reply_to"):
        cell = re.search(rf'<td class="field-{column}">(.*?)</td>', listing, re.S).group(1)
        assert "overflow-wrap: break-word" in cell and "min-width: 12em" in cell
