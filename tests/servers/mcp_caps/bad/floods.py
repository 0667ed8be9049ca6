"""Writes to standard output without end, one line that never ends."""
import sys

chunk = "x" * 65536
while True:
    sys.stdout.write(chunk)
