import shutil

import pytest

from tests.servers.mcp_caps import SERVERS


@pytest.fixture
def inspector(settings):
    """The capability inspection, for real, on the fixture servers. bubblewrap must be
    installed (.ci/bubblewrap.sh): without it the tests that need it fail, never skip."""
    if not shutil.which("bwrap"):
        pytest.fail("bubblewrap is not installed: run .ci/bubblewrap.sh (apt-get install "
                    "bubblewrap); the capability inspection cannot run without it")
    settings.INSPECTION_LOCAL_ROOTS = [str(SERVERS)]
    settings.INSPECTION_TIMEOUT = 10
    settings.INSPECTION_MEMORY_MB = 1024
    settings.INSPECTION_OUTPUT_BYTES = 1024 * 1024
    return settings
