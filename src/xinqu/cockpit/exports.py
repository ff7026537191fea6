"""A finished briefing's .docx or PDF as a download, for the page and the API alike."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from xinqu.cockpit import services


def briefing_download(briefing: Any, kind: str) -> FileResponse:
    path = services.briefing_file(briefing, kind) if briefing.status == briefing.Status.DONE else None
    if path is None or not path.is_file():
        raise Http404(_("文件还没有生成，或已不在服务器上。"))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=services.briefing_filename(briefing, kind),
        content_type=services.BRIEFING_TYPES[kind],
    )
