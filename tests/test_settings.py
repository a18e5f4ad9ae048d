from scrapy.utils.project import get_project_settings


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
