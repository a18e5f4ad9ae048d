"""Failed requests are named by the type of their exception, not by its message."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.failures import Refused, name


def failure_of(error: Exception) -> Failure:
    try:
        raise error
    except Exception:
        return Failure()


def test_a_refusal_of_ours_carries_its_reason():
    error = Refused("redirect_loop", "redirect loop back to https://www.ecns.cn/a.shtml")
    assert name(failure_of(error)) == (
        "redirect_loop",
        "redirect loop back to https://www.ecns.cn/a.shtml",
    )


def test_a_message_that_reads_like_ours_does_not_make_the_reason():
    # Before, "scope:" at the start of any IgnoreRequest's text made it out_of_scope.
    assert name(failure_of(IgnoreRequest("scope: private"))) == ("ignored", "scope: private")
