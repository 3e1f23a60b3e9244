#!/usr/bin/env python3
"""Memory load for host tests: waits for a line on stdin (so the test can move it into a cgroup first), maps MB of
anonymous private memory, fills it with a pattern, optionally marks it MADV_MERGEABLE, prints "ready", then holds it
until stdin closes.

patterns: dup   - every page identical (KSM merges them all)
          mixed - 1/3 repeated text, 1/3 random, 1/3 mostly zero (what compression sees)
"""
import mmap, os, sys

mb = int(sys.argv[1])
pattern = sys.argv[2]
mergeable = len(sys.argv) > 3 and sys.argv[3] == 'mergeable'
sys.stdin.readline()
size = mb << 20
m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
if mergeable:
    m.madvise(mmap.MADV_MERGEABLE)
text = (b'overcommit test page: the quick brown fox jumps over the lazy dog. ' * 64)[:4096]
for off in range(0, size, 4096):
    if pattern == 'dup':
        m[off:off + 4096] = text
    else:
        k = (off >> 12) % 3
        if k == 0:
            m[off:off + 4096] = text
        elif k == 1:
            m[off:off + 4096] = os.urandom(4096)
        else:
            m[off:off + 16] = b'x' * 16
print('ready', flush=True)
sys.stdin.read()
