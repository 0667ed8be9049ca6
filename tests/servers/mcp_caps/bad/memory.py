"""Allocates memory without end before it answers."""
hoard = []
while True:
    hoard.append(bytearray(64 * 1024 * 1024))
