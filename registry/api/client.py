"""The enforcement hook, served as a download so developers install what the portal runs
against (the file lives in the repository's client/ folder, with its own tests)."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from governance.api.fields import error_responses

HOOK_FILE = Path(settings.BASE_DIR) / "client" / "mcp_governance_hook.py"


class HookDownload(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Download the Claude Code enforcement hook (Python 3.9+, stdlib)",
                   responses={(200, "text/x-python"): OpenApiTypes.STR,
                              **error_responses(401, 404)})
    def get(self, request):
        if not HOOK_FILE.exists():
            raise Http404("The hook is not bundled with this installation.")
        response = FileResponse(HOOK_FILE.open("rb"), content_type="text/x-python",
                                as_attachment=True, filename=HOOK_FILE.name)
        return response
