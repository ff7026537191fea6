"""Org units are chosen from the tree: each area followed by its own parks, parks alone grouped
under their areas, in the page's language."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from xinqu.core.forms import UnitChoiceField
from xinqu.core.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    zone = OrgUnit.objects.create(kind="zone", code="z", name="长春新区")
    gaoxin = OrgUnit.objects.create(kind="area", code="gx", name="高新区", parent=zone, sort_order=1)
    beihu = OrgUnit.objects.create(
        kind="area", code="bh", name="北湖区", name_en="Beihu", parent=zone, sort_order=2
    )
    # Parks numbered within their area: ordered by sort_order alone they would interleave.
    OrgUnit.objects.create(kind="park", code="bh1", name="北湖未来科学城", parent=beihu, sort_order=1)
    OrgUnit.objects.create(kind="park", code="gx1", name="长东北科技园", parent=gaoxin, sort_order=1)
    OrgUnit.objects.create(kind="park", code="gx2", name="长智光谷", parent=gaoxin, sort_order=2)
    return zone


def _options(html: str) -> list[str]:
    return [label.strip("　") for label in re.findall(r"<option[^>]*>([^<]*)</option>", html)]


def test_every_unit_is_listed_as_the_tree(tree):
    field = UnitChoiceField(queryset=OrgUnit.objects.all(), required=False)
    field.widget.choices = field.choices
    html = field.widget.render("unit", None)
    assert _options(html) == [
        "（请选择）",
        "长春新区",
        "高新区",
        "长东北科技园",
        "长智光谷",
        "北湖区",
        "北湖未来科学城",
    ]


def test_parks_alone_are_grouped_under_their_areas_in_the_page_language(tree):
    field = UnitChoiceField(queryset=OrgUnit.objects.filter(kind="park"), required=False)
    field.widget.choices = field.choices
    html = field.widget.render("park", None)
    assert re.findall(r'<optgroup label="([^"]+)"', html) == ["高新区", "北湖区"]
    assert _options(html) == ["（请选择）", "长东北科技园", "长智光谷", "北湖未来科学城"]
    with translation.override("en"):
        english = field.widget.render("park", None)
    assert re.findall(r'<optgroup label="([^"]+)"', english) == ["高新区", "Beihu"]
