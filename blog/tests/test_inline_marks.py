"""The inline marks Markdown has no syntax for, written as HTML in a post, are kept: they are
inert, and without them a post cannot show a key to press or a highlighted word."""

from blog.services import render_markdown


def test_harmless_inline_marks_are_kept():
    html = str(render_markdown(
        "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>: <b>bold</b>, <i>term</i>, <u>underlined</u>, <s>old price</s>, "
        "<mark>found</mark>, H<sub>2</sub>O and x<sup>2</sup>."))
    for mark in ("<kbd>Ctrl</kbd>", "<b>bold</b>", "<i>term</i>", "<u>underlined</u>", "<s>old price</s>",
                 "<mark>found</mark>", "<sub>2</sub>", "<sup>2</sup>"):
        assert mark in html


def test_they_carry_no_attributes():
    html = str(render_markdown('<mark onclick="alert(1)" style="color:red" class="x">found</mark>'))
    assert "<mark>found</mark>" in html
