"""`xinqu bench briefing`: the monthly briefing on the demo zone (the time to write one, stage by
stage) and the cockpit page it is written from, after a data change and cached.

Run it on an empty database (it loads the demo zone) or, with --reuse, on one the demo loaded:

    XINQU_DATABASE_URL=sqlite:///var/bench.sqlite3 xinqu bench briefing
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def run(*, repeat: int, reuse: bool, log: Callable[[str], None], **_: Any) -> list[tuple[str, str]]:
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.test import Client

    from xinqu.cockpit import briefing, documents, selectors, services
    from xinqu.core.models import OrgUnit, User
    from xinqu.demo.benchutil import timed
    from xinqu.indicators.models import Observation

    call_command("migrate", interactive=False, verbosity=0)
    if OrgUnit.objects.exists() and not reuse:
        raise CommandError("Run the benchmark on an empty database, or pass --reuse on a demo database.")
    if not OrgUnit.objects.exists():
        log("Loading the demo zone …")
        call_command("demo", "--setup-only", verbosity=0)
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    leader = User.objects.get(username="demo-leader")
    client = Client()
    client.force_login(leader, backend="django.contrib.auth.backends.ModelBackend")
    scope = selectors.scope_for({"period": "2023-12"})
    content = briefing.compose(reader=leader, scope=scope, language="zh-hans")
    if "913.00亿元" not in content["foreword"]:
        raise CommandError("The briefing does not state the demo's 2023 GDP; refusing to time it.")
    repeat = max(3, repeat // 3)
    results: list[tuple[str, str]] = []
    compose_ms = timed(lambda: briefing.compose(reader=leader, scope=scope, language="zh-hans"), repeat)
    images: list[list[bytes]] = []

    def draw() -> None:
        images[:] = documents.charts(content)

    charts_ms = timed(draw, repeat)
    docx_ms = timed(lambda: documents.to_docx(content, images), repeat)
    pdf_ms = timed(lambda: documents.to_pdf(content, images), repeat)
    whole = timed(
        lambda: client.post(
            "/api/v1/cockpit/briefings", {"period": "2023-12"}, content_type="application/json"
        ),
        repeat,
    )
    queued = services.briefing_request(actor=leader, scope=scope, language="zh-hans", background=True)
    worker = timed(lambda: services.run_briefing(queued.pk), repeat)
    results += [
        ("briefing: content from the tiles (median / p95 ms)", f"{compose_ms[0]:.0f} / {compose_ms[1]:.0f}"),
        (f"briefing: {content['charts']} charts as PNG", f"{charts_ms[0]:.0f} / {charts_ms[1]:.0f}"),
        ("briefing: .docx", f"{docx_ms[0]:.0f} / {docx_ms[1]:.0f}"),
        ("briefing: PDF with the font embedded", f"{pdf_ms[0]:.0f} / {pdf_ms[1]:.0f}"),
        (
            "briefing: the request through the API (content written, documents queued)",
            f"{whole[0]:.0f} / {whole[1]:.0f}",
        ),
        (
            "briefing: the worker's job (charts, .docx, PDF, files written)",
            f"{worker[0]:.0f} / {worker[1]:.0f}",
        ),
    ]
    # The cockpit it is written from: the first view after a data change, and cached.
    zone = OrgUnit.objects.get(kind="zone")
    touched = Observation.objects.filter(org_unit=zone).order_by("pk").first()

    def cold() -> None:
        if touched is not None:
            Observation.objects.filter(pk=touched.pk).update(ytd_value=touched.ytd_value)
        client.get("/cockpit/?period=2023-12")

    cold_ms = timed(cold, repeat * 3)
    client.get("/cockpit/?period=2023-12")
    warm_ms = timed(lambda: client.get("/cockpit/?period=2023-12"), repeat * 3)
    results += [
        ("cockpit 2023-12, after a data change (median / p95 ms)", f"{cold_ms[0]:.0f} / {cold_ms[1]:.0f}"),
        ("cockpit 2023-12, cached", f"{warm_ms[0]:.0f} / {warm_ms[1]:.0f}"),
    ]
    return results
