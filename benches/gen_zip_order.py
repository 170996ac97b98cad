#!/usr/bin/env python3
"""benches/gen_zip_order.py: a zip of N tiny stored members whose central directory lists them
in reverse order of their bytes (or, with --in-order, in the same order).

    python3 benches/gen_zip_order.py OUT.zip N [--in-order]

Any zip writer may order its central directory as it likes, and readers must accept it; the
reverse order is the worst case for a reader that reads the members in the order of their bytes
and records them in central directory order. Members: dirNNN/fileNNNNNNN.txt, 1,000 per folder,
each a line of about 25 bytes, stored (method 0) with its CRC-32; ZIP64 end records past 65,535
members. `unzip -l` lists it. Used for the memory figures of part 10 in results-2026-12-07.txt:

    /usr/bin/time -v scelle -C CASE seal OUT.zip --key KEY
"""
import struct
import sys
import zlib


def main() -> None:
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--in-order"):
        sys.exit(__doc__)
    out_path, n = sys.argv[1], int(sys.argv[2])
    in_order = len(sys.argv) == 4
    entries = []
    pos = 0
    with open(out_path, "wb") as out:
        for i in range(n):
            name = ("dir%03d/file%07d.txt" % (i // 1000, i)).encode()
            data = ("content of member %d\n" % i).encode()
            crc = zlib.crc32(data)
            local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, crc,
                                len(data), len(data), len(name), 0)
            out.write(local + name + data)
            entries.append((name, crc, len(data), pos))
            pos += len(local) + len(name) + len(data)
        cd_start = pos
        cd = bytearray()
        for name, crc, size, offset in (entries if in_order else reversed(entries)):
            cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, 0, 0, 0x21, crc,
                              size, size, len(name), 0, 0, 0, 0, 0o100644 << 16, offset) + name
        out.write(cd)
        if n < 0xFFFF:
            out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), cd_start, 0))
        else:
            zip64_end = cd_start + len(cd)
            out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(cd),
                                  cd_start))
            out.write(struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1))
            out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, len(cd),
                                  cd_start, 0))


if __name__ == "__main__":
    main()
