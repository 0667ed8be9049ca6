"""Settings for the HTTP benchmarks only: the portal's own, with the floor views of
benchmarks/floor.py mounted beside its URLs. Never used in production."""

from governance.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
