"""Exits at once, saying why on its error output (as a server without its token does)."""
import sys

sys.stderr.write("Error: GITHUB_TOKEN is not a valid token\n")
sys.exit(1)
