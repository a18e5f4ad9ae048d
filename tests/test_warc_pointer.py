"""One WARC pointer type (newsarchive.archive.warc.WarcPointer): written into article
records by the WARC writer, read back from them, checked, by every reader."""

from __future__ import annotations

import pytest

from newsarchive.archive.layout import BadKey
from newsarchive.archive.warc import WarcPointer

NAME = "warc/source=ecns/date=2024-01-02/20240102T000000Z-ecns-host-1-00000.warc.gz"
RECORD_ID = "<urn:uuid:12345678-1234-1234-1234-123456789abc>"


def test_a_pointer_reads_back_as_the_writer_wrote_it():
    written = WarcPointer(NAME, 1234, 5678, RECORD_ID, "2024-01-02T03:04:05Z")
    assert WarcPointer.parse(written.as_dict()) == written


@pytest.mark.parametrize(
    "warc",
    [
        None,
        {
            "filename": "warc/source=ecns/date=2024-01-02/../../escape.warc.gz",
            "offset": 0,
            "length": 10,
            "record_id": RECORD_ID,
        },
        {"filename": NAME, "offset": "0", "length": 10, "record_id": RECORD_ID},
        {"filename": NAME, "offset": True, "length": 10, "record_id": RECORD_ID},
        {"filename": NAME, "offset": 0, "length": 0, "record_id": RECORD_ID},
        {"filename": NAME, "offset": -1, "length": 10, "record_id": RECORD_ID},
        {"filename": NAME, "offset": 0, "length": 10, "record_id": None},
    ],
    ids=[
        "not-a-dict",
        "climbing-name",
        "text-offset",
        "bool-offset",
        "empty",
        "negative",
        "no-record-id",
    ],
)
def test_a_pointer_that_cannot_name_a_record_is_refused(warc):
    with pytest.raises(BadKey):
        WarcPointer.parse(warc)
