"""The zip-level writer's deflating (xlclient.xlsx.zipio): a part deflated while it is made,
in pieces, is the part; its CRC is the CRC of the whole."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlclient.xlsx.zipio import StreamDeflater, crc32_combine, deflate


@settings(max_examples=300, deadline=None)
@given(a=st.binary(max_size=200), b=st.binary(max_size=2000))
def test_crc32_combine_is_the_crc_of_the_two_joined(a, b):
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_crc32_combine_over_long_lengths():
    a, b = b"head", bytes(range(256)) * 40_000  # 10 MB: many bits of the length
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


@settings(max_examples=100, deadline=None)
@given(head=st.binary(max_size=300), pieces=st.lists(st.binary(max_size=3000), max_size=12), tail=st.binary(max_size=300),
       batch=st.sampled_from([1, 100, 1 << 20]))
def test_a_part_deflated_while_it_is_made_is_the_part(head, pieces, tail, batch):
    """Head, middle (in the background, any batching) and tail deflated apart make one
    valid deflate stream of the whole, with its CRC and size: what a zip reader checks."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(StreamDeflater, "BATCH", batch)
        d = StreamDeflater()
        for p in pieces:
            d.add(p)
        packed = d.finish(head, tail)
    whole = head + b"".join(pieces) + tail
    inflate = zlib.decompressobj(-15)
    assert inflate.decompress(packed.compressed) == whole and inflate.eof and not inflate.unused_data
    assert packed.crc == zlib.crc32(whole) and packed.size == len(whole)
    assert deflate([whole]).crc == packed.crc


def test_a_part_abandoned_midway_leaves_no_thread_and_a_failure_is_raised():
    import threading

    d = StreamDeflater()
    d.add(b"<row/>" * 10)
    d.close()  # the sheet failed (a bad cell): the thread ends
    assert not [t for t in threading.enumerate() if t.name == "xlclient-deflate" and t.is_alive()]

    class Failing:
        def compress(self, data):
            raise MemoryError("deflate failed")

    with pytest.MonkeyPatch.context() as m:
        m.setattr(zlib, "compressobj", lambda *a: Failing())
        broken = StreamDeflater()
        broken.add(b"x" * (StreamDeflater.BATCH + 1))  # handed to the thread, which fails on it
        broken.add(b"y" * (StreamDeflater.BATCH + 1))  # the producer is not blocked by that
    with pytest.raises(MemoryError):
        broken.finish(b"", b"")
