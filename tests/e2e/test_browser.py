"""A department clerk's first minutes, in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from xinqu.updates.models import WorkUpdate

pytestmark = pytest.mark.e2e
ARTIFACTS = Path("test-artifacts")


def test_staff_logs_in_switches_language_and_is_refused_other_departments_record(page, live_server):
    call_command("demo", "--setup-only")
    secret = WorkUpdate.objects.get(confidential=True, department__code="invest")
    published = WorkUpdate.objects.filter(department__code="invest", status="approved").first()

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("h2").inner_text() == "登录新区高质量发展平台"
    page.fill("#id_username", "demo-econ-staff")
    page.fill("#id_password", "Xinqu-demo-2026")
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")
    assert "李明" in page.locator("#current-user").inner_text()
    assert page.get_by_role("link", name="工作动态", exact=True).is_visible()

    # Switch to English from the header.
    page.select_option("#language-select", "en")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Work updates", exact=True).click()
    page.wait_for_url("**/updates/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h2.page-title").inner_text() == "Work updates"
    assert secret.title not in page.content()

    # Another department's confidential record: not found, and nothing of it shown.
    response = page.goto(f"{live_server.url}/updates/{secret.pk}/")
    assert response is not None and response.status == 404
    assert "The record was not found, or you may not see it." in page.locator("#error-message").inner_text()
    assert secret.title not in page.content()

    # Another department's published record: readable, but editing it is refused.
    response = page.goto(f"{live_server.url}/updates/{published.pk}/edit/")
    assert response is not None and response.status == 403
    assert "You can only change your own department's records." in page.locator("#error-message").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-refused.png"), full_page=True)


def test_phone_width_shows_the_collapsed_menu(browser, live_server, _relax_audit_guard):
    call_command("demo", "--setup-only")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "demo-leader")
    page.fill("#id_password", "Xinqu-demo-2026")
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/cockpit/")
    menu_link = page.get_by_role("link", name="工作动态", exact=True)
    assert not menu_link.is_visible()
    page.click(".navbar-toggler")
    menu_link.wait_for(state="visible")
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-phone.png"), full_page=True)
    context.close()


def _login(page, live_server, username, lands=None):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Xinqu-demo-2026")
    page.click("#login-submit")
    # A leader's home is the cockpit.
    lands = lands or ("/cockpit/" if username.startswith("demo-leader") else "/")
    page.wait_for_url(f"{live_server.url}{lands}")


def test_a_leader_lands_on_the_cockpit_and_switches_to_an_area(page, live_server):
    call_command("demo", "--setup-only")
    _login(page, live_server, "demo-leader", lands="/cockpit/")
    page.locator("[data-tile=indicators] [data-chart] svg").wait_for()
    page.locator("[data-tile=investment] [data-chart] svg").wait_for()
    assert page.locator("[data-tile]").count() >= 7
    page.select_option("#ck-unit", "gaoxin")
    page.click("#cockpit-scope button")
    page.wait_for_url("**/cockpit/?unit=gaoxin*")
    assert "高新区" in page.locator("h2, .page-title").first.inner_text()
    assert page.locator("[data-tile=safety]").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-cockpit-area.png"), full_page=True)


def test_a_leader_issues_a_big_screen_that_fits_any_display_without_a_login(browser, page, live_server):
    call_command("demo", "--setup-only")
    _login(page, live_server, "demo-leader", lands="/cockpit/")
    page.click("#cockpit-screens")
    page.fill("#screen-label", "三楼会议室")
    page.click("#screen-issue button")
    link = page.locator("#screen-link code").inner_text().strip()
    assert "/cockpit/screen/" in link
    # A display with no session, smaller than the 1920×1080 design: the stage scales to fit.
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    screen = context.new_page()
    screen.goto(link)
    screen.locator("[data-tile=indicators] [data-chart] svg").wait_for()
    box = screen.locator("#screen-stage").bounding_box()
    assert box is not None and abs(box["width"] - 1280) <= 2 and box["height"] <= 722
    assert screen.evaluate("document.documentElement.scrollWidth") <= 1280
    ARTIFACTS.mkdir(exist_ok=True)
    screen.wait_for_timeout(1500)  # the charts finish their entry animation
    screen.screenshot(path=str(ARTIFACTS / "e2e-big-screen.png"))
    context.close()


def test_a_leader_writes_the_monthly_briefing_from_the_cockpit_and_downloads_it(
    page, live_server, settings, tmp_path
):
    import io

    from pypdf import PdfReader

    settings.BRIEFING_DIR = tmp_path
    call_command("demo", "--setup-only")
    _login(page, live_server, "demo-leader", lands="/cockpit/")
    page.select_option("#ck-period", "2023-12")
    with page.expect_navigation():
        page.click("#cockpit-scope button.btn-primary")
    with page.expect_navigation():
        page.click("#cockpit-briefing-generate")
    page.locator("#briefing-pdf").wait_for()
    assert "913.00亿元" in page.locator("#briefing-foreword").inner_text()
    with page.expect_download() as download:
        page.click("#briefing-pdf")
    assert download.value.suggested_filename == "经济运行分析-changchun-new-area-2023-12.pdf"
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "").replace("\x00", "")
    assert "913.00亿元" in text and "905.40亿元" in text
    with page.expect_download() as word:
        page.click("#briefing-docx")
    assert word.value.suggested_filename.endswith(".docx")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-briefing.png"), full_page=True)


def test_a_month_pasted_from_excel_goes_through_approval_into_the_overview(browser, page, live_server):
    from xinqu.core.models import OrgUnit
    from xinqu.indicators.models import Indicator

    call_command("demo", "--setup-only")
    zone = OrgUnit.objects.get(kind="zone")
    output = Indicator.objects.get(code="industrial_output")
    _login(page, live_server, "demo-econ-staff")
    page.goto(f"{live_server.url}/indicators/returns/entry/2025-03/")
    first = page.locator(f'tr[data-key="{output.pk}-{zone.pk}"] input[name^="single-"]')
    # A block copied from Excel: 本月, 累计, 同比增长% for the zone, then the next row (高新区).
    page.evaluate(
        """([selector, text]) => {
            const input = document.querySelector(selector);
            const data = new DataTransfer();
            data.setData("text/plain", text);
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [f'tr[data-key="{output.pk}-{zone.pk}"] input[name^="single-"]', "\t1,31.6\t9.1%\r\n\t\t\r\n"],
    )
    assert first.input_value() == ""
    ytd = page.locator(f'tr[data-key="{output.pk}-{zone.pk}"] input[name^="ytd-"]')
    assert ytd.input_value() == "1,31.6"
    page.click("#save-grid")
    # A misplaced thousands separator: refused, and the row says why.
    assert "千位分隔符" in page.locator(f'tr[data-key="{output.pk}-{zone.pk}"]').inner_text()
    ytd.fill("1,316.5亿元")
    page.click("#save-grid")
    page.wait_for_url("**/indicators/returns/*/")
    assert "1,316.5" in page.locator("#value-table").inner_text()
    if page.locator("#confirm-warnings").count():
        page.check("#confirm-warnings")
    page.click("#submit-return")
    assert page.locator("#return-status").get_attribute("data-status") == "submitted"
    return_url = page.url

    head_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    head = head_context.new_page()
    _login(head, live_server, "demo-econ-head")
    head.goto(return_url)
    head.click("#approve-return")
    assert head.locator("#return-status").get_attribute("data-status") == "approved"
    head.goto(f"{live_server.url}/indicators/?unit={zone.pk}&period=2025-03")
    row = head.locator('#overview-table tr[data-code="industrial_output"]')
    assert "1,316.5" in row.locator('[data-col="value"]').inner_text()
    head.goto(f"{live_server.url}/indicators/?unit={zone.pk}&period=2024-06")
    assert head.locator("[data-light]").count() > 0
    head.locator("details.xq-rule summary").first.click()
    assert "序时进度" in head.locator("details.xq-rule").first.inner_text()
    head.goto(f"{live_server.url}/indicators/industrial_output/?unit={zone.pk}&period=2024-06")
    head.locator("#trend-chart svg").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    head.screenshot(path=str(ARTIFACTS / "e2e-indicator.png"), full_page=True)
    head_context.close()


def test_the_plan_tree_folds_and_a_lagging_kpi_goes_under_supervision(browser, page, live_server):
    from xinqu.plans.models import Node

    call_command("demo", "--setup-only")
    _login(page, live_server, "demo-leader")
    page.goto(f"{live_server.url}/plans/2024/")
    programme = Node.objects.get(plan__year=2024, code="3")
    kpi = Node.objects.get(plan__year=2024, code="3.3")
    child = page.locator(f'#plan-tree tr[data-node="{kpi.pk}"]')
    assert child.is_visible() and child.locator("[data-light]").get_attribute("data-light") == "red"
    page.locator(f'#plan-tree tr[data-node="{programme.pk}"] .xq-toggle').click()
    assert child.is_hidden()
    page.locator(f'#plan-tree tr[data-node="{programme.pk}"] .xq-toggle').click()
    assert child.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-plan-tree.png"), full_page=True)
    # The leaders' view lists it; supervising it asks the department for a response.
    page.goto(f"{live_server.url}/plans/2024/watch/")
    page.locator(f'#watch tr[data-node="{kpi.pk}"] a').click()
    page.fill("#id_requirement", "请于一周内报送十亿元以上项目攻坚清单")
    page.fill("#id_due_on", "2099-01-01")
    page.click("#supervise")
    page.wait_for_url("**/plans/supervision/*/")
    number = page.locator("#supervision-number").inner_text()

    staff_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    _login(staff, live_server, "demo-invest-staff")
    staff.goto(f"{live_server.url}/plans/2024/my/")
    staff.locator("#my-supervisions a", has_text=number).click()
    _choose_step(staff, "respond")
    staff.fill("#id_respond-comment", "已报送攻坚清单，一项目一专班推进")
    staff.click("#action-respond")
    assert staff.locator("#supervision-state").get_attribute("data-state") == "responded"
    staff_context.close()

    page.reload()
    _choose_step(page, "conclude_done")
    page.click("#action-conclude_done")
    assert page.locator("#supervision-outcome").inner_text() == "按要求办结"


def test_the_project_ledger_statistics_meeting_and_a_report(browser, page, live_server):
    from xinqu.projects.models import MonthlyReport, Project

    call_command("demo", "--setup-only")
    _login(page, live_server, "demo-projects-staff")
    page.goto(f"{live_server.url}/projects/statistics/?year=2023")
    assert page.locator("#started-or-resumed").inner_text() == "147"
    assert page.locator("#industrial-share").inner_text() == "76.3%"
    assert page.locator("#landed").inner_text() == "128"
    page.locator("[data-chart] svg").first.wait_for()
    page.goto(f"{live_server.url}/projects/meeting/")
    assert page.locator(".xq-meeting-group").count() > 0
    project = Project.objects.filter(stage="building", department__code="projects").order_by("code").first()
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.locator("#milestone-chart svg").wait_for()
    before = MonthlyReport.objects.filter(project=project).count()
    page.fill("#id_investment", "-5")
    page.click("#save-report")
    assert "不能为负数" in page.content()
    assert MonthlyReport.objects.filter(project=project).count() == before
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-project.png"), full_page=True)


def test_an_officer_registers_a_lead_and_its_gate_names_the_missing_document(page, live_server, tmp_path):
    from xinqu.investment.models import Lead

    call_command("demo", "--setup-only")
    _login(page, live_server, "demo-invest-staff")
    page.goto(f"{live_server.url}/investment/new/")
    page.fill("#id_name", "浏览器登记的光电项目")
    page.fill("#id_company", "某光电科技有限公司")
    page.select_option("#id_origin", "province")
    page.select_option("#id_source", "exhibition")
    page.fill("#id_amount", "30000")
    page.click("#save-lead")
    page.wait_for_selector("#lead-title")
    assert "浏览器登记的光电项目" in page.locator("#lead-title").inner_text()
    lead = Lead.objects.get(name="浏览器登记的光电项目")
    # Straight to 洽谈: refused, naming the documents still missing; nothing moved.
    page.select_option("#id_stage", "negotiate")
    page.click("#move-lead")
    page.get_by_text("进入“考察”前须上传：考察记录").wait_for()
    lead.refresh_from_db()
    assert lead.stage == "lead"
    record = tmp_path / "考察记录.pdf"
    record.write_bytes(b"%PDF-1.4\n%e2e\n")
    page.select_option("#id_kind", "visit")
    page.set_input_files("#id_upload", str(record))
    page.click("#add-document")
    page.wait_for_selector("#documents a")
    page.select_option("#id_stage", "inspect")
    page.click("#move-lead")
    page.wait_for_selector('[data-stage="inspect"].bg-blue')
    lead.refresh_from_db()
    assert lead.stage == "inspect"
    page.goto(f"{live_server.url}/investment/funnel/")
    page.locator("[data-chart] svg").first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-investment-funnel.png"), full_page=True)


def test_the_innovation_bureau_registers_a_platform_and_a_future_recognition_is_refused(page, live_server):
    import datetime as dt

    from django.utils import timezone

    from xinqu.innovation.models import Platform

    call_command("demo", "--setup-only")
    _login(page, live_server, "demo-tech-staff")
    page.goto(f"{live_server.url}/innovation/new/")
    page.fill("#id_name", "浏览器登记的光电孵化器")
    page.select_option("#id_kind", "incubator")
    page.fill("#id_institution", "长春理工大学")
    page.select_option("#id_level", "provincial")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.fill("#id_recognised_on", tomorrow.isoformat())
    page.click("#save-platform")
    page.get_by_text("晚于今天").first.wait_for()
    assert not Platform.objects.filter(name="浏览器登记的光电孵化器").exists()
    page.fill("#id_recognised_on", "2023-06-01")
    page.click("#save-platform")
    page.wait_for_selector("#platform-title")
    assert page.locator("#platform-level").inner_text() == "省级"
    page.fill("#id_year", "2024")
    for field, value in (
        ("incubated", "20"),
        ("graduated", "3"),
        ("rd_spend", "5000"),
        ("patents", "12"),
        ("hosted_revenue", "20000"),
    ):
        page.fill(f"#id_{field}", value)
    page.click("#save-year")
    page.wait_for_selector('#platform-years [data-year="2024"]')
    # Provincial 25 + 10 + 6 + 12 + 5 + 4 = 62.0
    assert page.locator('#platform-years [data-year="2024"] [data-score]').inner_text().startswith("62.0")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-innovation-platform.png"), full_page=True)


def test_a_request_page_has_one_action_box_whose_fields_follow_the_step(page, live_server):
    """The centre's clerk on a new request: one box; choosing 不予受理 shows its comment and
    button and hides 受理's; refused without a reason, the box comes back on that step and the
    request is as it was."""
    from xinqu.workflow.models import Item

    call_command("demo", "--setup-only")
    item = Item.objects.filter(kind="service_request", state="submitted").first()
    _login(page, live_server, "demo-service-clerk")
    page.goto(f"{live_server.url}/service-requests/{item.number}/")
    assert page.locator("#action-box").count() == 1 and page.locator("form[data-action-box]").count() == 1
    assert page.locator("#action-accept").is_visible() and not page.locator("#action-reject").is_visible()
    _choose_step(page, "reject")
    assert not page.locator("#action-accept").is_visible()
    page.click("#action-reject")
    assert page.locator("#choose-reject").is_checked() and page.locator("#action-reject").is_visible()
    assert page.locator(
        "fieldset[data-step=reject] .invalid-feedback, fieldset[data-step=reject] .alert"
    ).count()
    item.refresh_from_db()
    assert item.state == "submitted"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-request-action-box.png"), full_page=True)


@pytest.mark.parametrize(
    ("width", "language"), [(1440, "zh-hans"), (390, "zh-hans"), (1440, "en"), (390, "en")]
)
def test_pages_fit_the_screen_in_both_languages(browser, live_server, _relax_audit_guard, width, language):
    """The longest department name (营商环境建设局（企业服务中心）), in Chinese and English, at a
    desktop's and a phone's width: no page overflows sideways; each is kept as a screenshot."""
    call_command("demo", "--setup-only")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    _login(page, live_server, "demo-service-head")
    ARTIFACTS.mkdir(exist_ok=True)
    pages = (("home", "/"), ("requests", "/service-requests/"), ("indicators", "/indicators/"),
             ("plan", "/plans/2024/"), ("projects", "/projects/"), ("enterprises", "/enterprises/"),
             ("safety", "/safety/"), ("investment", "/investment/"), ("cockpit", "/cockpit/"),
             ("innovation", "/innovation/"), ("innovation-projects", "/innovation/projects/"),
             ("innovation-talents", "/innovation/talents/"))  # fmt: skip
    lists = {"requests", "projects", "enterprises", "safety", "investment", "innovation", "innovation-projects",
             "innovation-talents"}  # fmt: skip
    for name, path in pages:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        page.screenshot(path=str(ARTIFACTS / f"e2e-{name}-{width}-{language}.png"))
        assert overflow <= 0, (path, width, language, overflow)
        if width < 768:
            # The columns that matter stay on screen: the light, and the plan tree one level at a time.
            if name == "indicators":
                light = page.locator("#overview-table tbody tr [data-light]").first.bounding_box()
                assert light and light["x"] + light["width"] <= width, light
            if name == "plan":
                assert page.evaluate("document.documentElement.scrollHeight") < 3000
            if name in lists:
                # A list keeps its name, state, value and deadline columns and needs no sideways scroll.
                hidden = page.evaluate(
                    "Math.max(0, ...[...document.querySelectorAll('.table-responsive')]"
                    ".map(t => t.scrollWidth - t.clientWidth))"
                )
                assert hidden <= 0, (path, language, hidden)
    context.close()


def _choose_step(page: Any, action: str) -> None:
    """Pick a step in an item's action box: its fields and button then show, the others hide."""
    choice = page.locator(f"#choose-{action}")
    if choice.count():
        choice.locator("xpath=..").click()
    assert page.locator(f"#action-{action}").is_visible()
    others = page.locator("fieldset[data-step]:not([hidden])")
    assert others.count() == 1
