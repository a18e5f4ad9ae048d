"""The page's visible text, as the metadata readers see it (pipelines.extract.text_lines):
scripts, styles, comments and the head are not text, and an element left open runs to
the end of the page, as a browser reads it."""

from __future__ import annotations

from pipelines.extract import text_lines


def test_scripts_styles_comments_and_the_head_are_not_text():
    html = (
        "<html><head><title>T</title></head><body><p>来源：新华网</p>"
        "<SCRIPT>var a = '<p>no</p>';</Script ><style>p{}</style><!-- <p>no</p> -->"
        "<p>2005年08月16日</p></body></html>"
    )
    assert text_lines(html) == ["来源：新华网", "2005年08月16日"]


def test_an_unclosed_script_hides_the_rest_of_the_page():
    html = "<p>Beijing, Feb. 4</p>" + "<script>" * 40_000 + "<p>never shown</p>"
    assert text_lines(html) == ["Beijing, Feb. 4"]


def test_an_unclosed_comment_hides_the_rest_of_the_page():
    assert text_lines("<p>Editor: Li</p><!-- <p>never shown</p>" + "<!--" * 40_000) == [
        "Editor: Li"
    ]


def test_a_stray_angle_bracket_stays_text_and_never_swallows_words():
    assert text_lines("<p>1 < 2 and <b>3</b> is true</p>") == ["1 < 2 and 3 is true"]
