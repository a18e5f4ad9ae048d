"""Captions marked by position: the short line set apart (centred, greyed, of a caption
class) right under a picture leaves the body for ``captions``. Real zh-dev pages."""

from __future__ import annotations

import json
from pathlib import Path

from newsarchive.items import ArticlePage
from pipelines.article import build_article

EVAL = Path(__file__).resolve().parent.parent / "eval"


def record(name: str) -> tuple[dict, dict]:
    body = (EVAL / "zh-dev" / f"{name}.html").read_bytes()
    want = json.loads((EVAL / "zh-dev" / f"{name}.expected.json").read_text())
    built = build_article(ArticlePage.single("", f"https://zh-dev.example/{name}", body))
    return built, want


def test_a_centred_line_under_a_picture_is_its_caption():
    # 163-2: <p class="f_center"><img></p><p style="text-align: center; ">…视频截图</p>
    built, _ = record("163-2")
    assert "姚明场边支招周琦。视频截图" not in built["paragraphs"]
    assert "姚明场边支招周琦。视频截图" in [c["text"] for c in built["captions"]]


def test_a_grey_line_in_a_centred_paragraph_under_a_picture_is_its_caption():
    # guancha-0: <p align="center"><img></p><p align="center"><span style="color:#999999;">
    built, _ = record("guancha-0")
    assert "华坚鞋业生产车间" not in built["paragraphs"]
    assert "华坚鞋业生产车间" in [c["text"] for c in built["captions"]]


def test_subheads_under_pictures_stay_in_the_body():
    # baijiahao-4 sets each section's heading right under a picture.
    built, want = record("baijiahao-4")
    for subhead in ("缘起《还珠格格》紫薇", "异国他乡，指尖上的舞蹈", "繁星中的引导者"):
        assert subhead in want["paragraphs"]
        assert subhead in built["paragraphs"]


def test_a_plain_sentence_under_a_picture_stays_in_the_body():
    built, _ = record("toutiao-5")
    assert "多方组织协调以后，汪勇把这件事，真的给办成了。" in built["paragraphs"]
