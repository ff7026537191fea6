"""Shared by the service-request tests: the public form's fields and how to file through it."""

from __future__ import annotations

import re

from xinqu.service_requests.models import ServiceRequest

FORM = {
    "enterprise_name": "长春某光电科技有限公司",
    "contact_name": "刘经理",
    "contact_phone": "13800000000",
    "description": "新厂房电力增容申请迟迟未办理\n已等待两个月",
}


def _file(client, category, **extra):
    return client.post("/service/new/", {**FORM, "category": category.pk, **extra})


def _public(client, category):
    response = _file(client, category)
    link = re.search(r'id="track-link">([^<]+)<', response.content.decode()).group(1)
    return ServiceRequest.objects.get(item__number=response.context["sr"].item.number), link.replace(
        "http://testserver", ""
    )


def _plain(result):
    return [
        (row.label, row.counts, row.rates, row.average_days, row.rank)
        for row in [result["total"], *result["rows"]]
    ]
