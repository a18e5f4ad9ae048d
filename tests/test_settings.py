import re

from scrapy.settings import default_settings as scrapy_defaults
from scrapy.utils.project import get_project_settings

from tests.conftest import ROOT


def test_remote_code_consoles_are_off():
    settings = get_project_settings()
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False


def test_capture_sits_between_the_downloader_and_decompression():
    settings = get_project_settings()
    priority = settings.getdict("DOWNLOADER_MIDDLEWARES")[
        "crawler.downloadermiddlewares.warc_capture.WarcCaptureMiddleware"
    ]
    base = settings.getdict("DOWNLOADER_MIDDLEWARES_BASE")
    assert priority > base["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"]
    assert priority > base["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"]
    assert priority > base["scrapy.downloadermiddlewares.retry.RetryMiddleware"]


def test_polite_defaults():
    settings = get_project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert "newsarchive/" in settings.get("USER_AGENT") and "+http" in settings.get("USER_AGENT")


def test_at_least_one_second_between_requests_by_default(monkeypatch):
    monkeypatch.delenv("NEWSARCHIVE_DOWNLOAD_DELAY", raising=False)
    import importlib

    import settings as project_settings

    assert importlib.reload(project_settings).DOWNLOAD_DELAY >= 1.0


READ = re.compile(r"settings\.get(?:int|float|bool|list|dict)?\(\s*\"([A-Z_]+)\"\s*(,)?")


def project_reads() -> list[tuple[str, str, bool]]:
    """(file, setting, has a default of its own) for every setting the code reads."""
    found = []
    for path in sorted([*ROOT.glob("crawler/**/*.py"), *ROOT.glob("pipelines/**/*.py")]):
        for name, comma in READ.findall(path.read_text()):
            found.append((str(path.relative_to(ROOT)), name, bool(comma)))
    return found


def test_the_project_s_settings_are_named_as_their_environment_variables():
    ours = {name for _, name, _ in project_reads() if not hasattr(scrapy_defaults, name)}
    assert {n for n in ours if not n.startswith("NEWSARCHIVE_")} <= {"ARCHIVE_URI", "REDIS_URL"}


def test_every_setting_the_code_reads_has_its_one_default_in_settings():
    import settings as single
    import settings.distributed as distributed

    defaults = set(vars(single)) | set(vars(distributed)) | set(vars(scrapy_defaults))
    assert [(f, n) for f, n, _ in project_reads() if n not in defaults] == []
    assert [(f, n) for f, n, own in project_reads() if own] == []
