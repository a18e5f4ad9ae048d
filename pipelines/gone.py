"""A page that says its article is gone: a soft deletion, served with status 200.

Chinese news sites rarely answer 404 for a withdrawn story: they serve a template page
("您访问的页面不存在", "该文章已被删除") or an English "page not found" with status 200.
Only an archived article's revisit is checked, and only when it gave no article or a
short one (a real article that quotes "page not found" keeps its body), so a phrase
here can never turn a new page into a deletion. The words the page said are kept as
the deletion's detail, next to the WARC record of the page itself.
"""

from __future__ import annotations

import re

from newsarchive.decode import decode_html

# A body at least this long is an article, whatever it says.
MAX_NOTICE_CHARS = 300

# What withdrawal pages print, in the outlets' languages. General forms, not one site's
# sentence: "the page you visited does not exist / has been deleted / taken offline".
_PHRASES = [
    r"(?:页面|网页|文章|内容|稿件|新闻)(?:已|已经)?(?:被)?(?:删除|撤销|撤稿|下线|失效|移除)",
    r"(?:页面|网页|文章|内容)不存在",
    r"(?:访问|请求|查看)的(?:页面|网页|文章|内容)(?:不存在|已)",
    r"(?:找不到|未找到)(?:该|此|您要访问的)?(?:页面|网页|文章|内容)",
    r"page (?:was |is )?not found",
    r"page (?:you (?:requested|are looking for|visited)) "
    r"(?:does not|doesn't|could not|cannot|can't)",
    r"(?:article|page|story|content) (?:has been|was|is) (?:removed|deleted|withdrawn|taken down)",
    r"(?:article|page|story|content) is no longer available",
    r"\b404\b.{0,40}(?:not found|不存在|找不到)",
]
_GONE = re.compile("|".join(f"(?:{p})" for p in _PHRASES), re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def gone_notice(body: bytes, content_type: str | None = None) -> str | None:
    """The words by which the page says its article is gone, or None."""
    html, _, _ = decode_html(body, content_type)
    text = " ".join(_TAG.sub(" ", html).split())
    match = _GONE.search(text)
    return match.group(0) if match else None
