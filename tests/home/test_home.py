"""The home page gathers the modules' tiles for the user's role."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_department_staff_see_their_work_update_counts(as_user, econ_staff, make_update):
    make_update(econ_staff)
    make_update(econ_staff, status="submitted")
    page = as_user(econ_staff).get("/").content.decode()
    assert 'id="home-tiles"' in page
    assert 'id="count-draft">1<' in page and 'id="count-submitted">1<' in page


def test_administrators_get_their_duties_not_tiles(as_user, sysadmin):
    page = as_user(sysadmin).get("/").content.decode()
    assert "home-tiles" not in page and "三员分立" in page


def test_a_head_sees_what_waits_for_them_in_every_module_each_linking_to_its_list(
    as_user, econ, econ_staff, econ_head, leader, zone, make_user
):
    """A return submitted to the head shows on the head's home with its link, beside the
    requests dispatched to the department; the leader, in no department, gets no such list."""
    import re

    from tests import factories
    from xinqu.core.models import Department
    from xinqu.core.periods import last_finished_month
    from xinqu.core.roles import Role
    from xinqu.indicators import services as indicator_services
    from xinqu.indicators.models import Indicator

    output = Indicator.objects.create(
        code="output", name="产值", unit="亿元", department=econ, lowest_level="zone"
    )
    month = last_finished_month()
    submission = indicator_services.submission_for(actor=econ_staff, period=month)
    indicator_services.submission_values_save(
        actor=econ_staff,
        submission=submission,
        values=[indicator_services.ValueInput(output, zone, ytd_value=100)],
    )
    assert f"{month:%Y-%m} 经济指标待填报" in as_user(econ_staff).get("/").content.decode()
    indicator_services.submission_submit(actor=econ_staff, submission=submission, confirm_warnings=True)
    centre = Department.objects.create(code="business-env", name="企业服务中心")
    factories.service_request(make_user("centre-clerk", Role.STAFF, centre), econ)

    def waiting(page: str) -> dict[str, str]:
        return dict(re.findall(r'data-waiting="([^"]+)" data-count="(\d+)"', page))

    page = as_user(econ_head).get("/").content.decode()
    rows = waiting(page)
    assert rows["经济指标填报待审核"] == "1" and f'href="/indicators/returns/{submission.pk}/"' in page
    assert rows[f"{month:%Y-%m} 经济指标待填报"] == "0"  # submitted: nothing left to fill
    assert rows["诉求待签收"] == "1" and 'href="/service-requests/?state=dispatched"' in page
    assert "新诉求待受理" not in rows  # the centre's work, not the bureau's
    assert 'id="waiting"' not in as_user(leader).get("/").content.decode()
