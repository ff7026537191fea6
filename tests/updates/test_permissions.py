"""Object-level access to a department's records, in the pages and in the API."""

from __future__ import annotations

import pytest

from xinqu.core.models import AuditEntry
from xinqu.updates.models import WorkUpdate

pytestmark = pytest.mark.django_db


def test_staff_reads_other_departments_published_update(as_user, econ_staff, invest_staff, make_update):
    update = make_update(invest_staff, status="approved", title="招商周报")
    response = as_user(econ_staff).get(f"/updates/{update.pk}/")
    assert response.status_code == 200
    assert "招商周报" in response.content.decode()


def test_staff_cannot_see_other_departments_confidential_update(
    as_user, econ_staff, invest_staff, make_update
):
    update = make_update(invest_staff, status="approved", confidential=True, title="在谈项目名单")
    client = as_user(econ_staff)
    response = client.get(f"/updates/{update.pk}/")
    assert response.status_code == 404
    assert "在谈项目名单" not in response.content.decode()
    assert "在谈项目名单" not in client.get("/updates/").content.decode()


def test_staff_cannot_see_other_departments_draft(as_user, econ_staff, invest_staff, make_update):
    update = make_update(invest_staff, status="draft", title="未审核草稿")
    assert as_user(econ_staff).get(f"/updates/{update.pk}/").status_code == 404


def test_staff_sees_own_departments_confidential_draft(as_user, econ_staff, econ_head, make_update):
    update = make_update(econ_head, confidential=True, title="本局内部")
    assert as_user(econ_staff).get(f"/updates/{update.pk}/").status_code == 200


def test_staff_cannot_edit_other_departments_update(as_user, econ_staff, invest_staff, make_update):
    update = make_update(invest_staff, status="approved", title="招商周报")
    client = as_user(econ_staff)
    response = client.post(
        f"/updates/{update.pk}/edit/", {"title": "改了", "body": "x", "happened_on": "2024-03-01"}
    )
    assert response.status_code == 403
    assert "只能修改本部门的记录" in response.content.decode()
    update.refresh_from_db()
    assert update.title == "招商周报"


def test_leader_reads_everything(as_user, leader, invest_staff, make_update):
    update = make_update(invest_staff, status="draft", confidential=True, title="内部草稿")
    client = as_user(leader)
    assert client.get(f"/updates/{update.pk}/").status_code == 200
    assert "内部草稿" in client.get("/updates/").content.decode()


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor"])
def test_administrators_read_no_business_records(request, as_user, persona, invest_staff, make_update):
    update = make_update(invest_staff, status="approved", title="公开动态")
    client = as_user(request.getfixturevalue(persona))
    assert client.get(f"/updates/{update.pk}/").status_code == 404
    assert client.get("/updates/").status_code == 403


def test_outsider_is_sent_to_login(client, invest_staff, make_update):
    update = make_update(invest_staff, status="approved")
    response = client.get(f"/updates/{update.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_writes_submits_and_head_approves(as_user, econ_staff, econ_head):
    staff = as_user(econ_staff)
    response = staff.post(
        "/updates/new/", {"title": "3月工业运行", "body": "规上工业产值增长8.7%", "happened_on": "2024-03-31"}
    )
    update = WorkUpdate.objects.get(title="3月工业运行")
    assert response.status_code == 302
    assert update.department_id == econ_staff.department_id
    assert update.status == "draft"
    staff.post(f"/updates/{update.pk}/submit/")
    update.refresh_from_db()
    assert update.status == "submitted"

    # Staff cannot approve; only the head can.
    staff.post(f"/updates/{update.pk}/approve/")
    update.refresh_from_db()
    assert update.status == "submitted"
    as_user(econ_head).post(f"/updates/{update.pk}/approve/", {"comment": "同意"})
    update.refresh_from_db()
    assert update.status == "approved"
    assert update.reviewed_by == econ_head
    actions = list(AuditEntry.objects.filter(object_id=str(update.pk)).values_list("detail", flat=True))
    assert {"submitted", "approved"} <= set(actions)


def test_head_of_other_department_cannot_approve(as_user, make_user, invest, econ_staff, make_update):
    invest_head = make_user("invest-head", "head", invest)
    update = make_update(econ_staff, status="submitted")
    response = as_user(invest_head).post(f"/updates/{update.pk}/approve/")
    assert response.status_code == 404  # not yet published: invisible outside the department
    update.refresh_from_db()
    assert update.status == "submitted"


def test_return_needs_a_reason_and_changes_nothing_without_one(as_user, econ_staff, econ_head, make_update):
    update = make_update(econ_staff, status="submitted")
    client = as_user(econ_head)
    response = client.post(f"/updates/{update.pk}/return/", {"comment": " "}, follow=True)
    assert "退回时必须填写理由" in response.content.decode()
    update.refresh_from_db()
    assert update.status == "submitted"
    client.post(f"/updates/{update.pk}/return/", {"comment": "数据口径不对"})
    update.refresh_from_db()
    assert (update.status, update.review_note) == ("returned", "数据口径不对")


def test_approved_update_can_no_longer_be_edited(as_user, econ_staff, make_update):
    update = make_update(econ_staff, status="approved", title="已发布")
    response = as_user(econ_staff).post(
        f"/updates/{update.pk}/edit/", {"title": "偷偷改", "body": "x", "happened_on": "2024-03-01"}
    )
    assert "不能进行此操作" in response.content.decode()
    update.refresh_from_db()
    assert update.title == "已发布"


def test_list_page_query_count_does_not_grow_with_rows(
    as_user, econ_staff, make_update, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(econ_staff)
    make_update(econ_staff, status="approved", title="动态-首条")
    with CaptureQueriesContext(connection) as one_row:
        client.get("/updates/")
    for i in range(25):
        make_update(econ_staff, status="approved", title=f"动态{i}")
    with django_assert_num_queries(len(one_row.captured_queries)):
        response = client.get("/updates/")
    assert response.content.decode().count("动态") >= 26


def test_filter_answers_htmx_with_the_results_fragment(as_user, econ_staff, invest_staff, make_update):
    make_update(invest_staff, status="approved", title="招商周报")
    make_update(econ_staff, status="approved", title="经发周报")
    response = as_user(econ_staff).get(
        "/updates/", {"department": invest_staff.department_id}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "<html" not in page
    assert "招商周报" in page and "经发周报" not in page
