"""The MS-OVBA compression (MS-OVBA 2.4.1), written out because ``ms_ovba_compression``
1.0.1 produces wrong copy tokens for some inputs (seen here: a ``dir`` stream listing
``Sheet1``..``Sheet10`` decompressed to garbage after ``Sheet5`` with both its own and
oletools' decompressor). :func:`compress` is a plain greedy implementation of the spec;
``tests/test_template.py`` round-trips it through both decompressors.
"""

from __future__ import annotations

CHUNK = 4096


def _copy_token_help(difference: int) -> tuple[int, int, int]:
    """(bit_count, length_mask, maximum_length) for a position ``difference`` bytes into the chunk."""
    bit_count = max((difference - 1).bit_length(), 4)
    length_mask = 0xFFFF >> bit_count
    return bit_count, length_mask, length_mask + 3


def _compress_chunk(data: bytes) -> bytes:
    out = bytearray()
    pos, end = 0, len(data)
    seen: dict[bytes, list[int]] = {}  # 3-byte prefix -> earlier positions (hash chain)

    def remember(upto: int) -> None:
        nonlocal indexed
        while indexed < upto:
            if indexed + 3 <= end:
                seen.setdefault(data[indexed:indexed + 3], []).append(indexed)
            indexed += 1

    indexed = 0
    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len, best_off, bit_count = 0, 0, 4
            if pos > 0 and pos + 3 <= end:
                bit_count, _, max_len = _copy_token_help(pos)
                limit = min(max_len, end - pos)
                for cand in reversed(seen.get(data[pos:pos + 3], ())):
                    n = 3
                    while n < limit and data[cand + n] == data[pos + n]:
                        n += 1
                    if n > best_len:
                        best_len, best_off = n, pos - cand
                        if n == limit:
                            break
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                pos += best_len
            else:
                out.append(data[pos])
                pos += 1
            remember(pos)
        out[flag_index] = flags
    if len(out) > CHUNK:  # incompressible: a raw chunk (always 4096 bytes)
        return (0x3FFF).to_bytes(2, "little") + data.ljust(CHUNK, b"\x00")
    header = 0xB000 | (len(out) + 2 - 3)
    return header.to_bytes(2, "little") + bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer holding ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(bytes(data[start:start + CHUNK]))
    return bytes(out)
