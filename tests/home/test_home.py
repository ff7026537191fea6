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
