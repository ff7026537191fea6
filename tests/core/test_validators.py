"""Chinese telephone numbers as people write them: a mobile, a landline with its area code, or a
400/800 number; anything else is refused with a message that says what is expected."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from xinqu.core.validators import phone_ok, validate_phone


@pytest.mark.parametrize(
    "number",
    ["13800000000", "139 0000 0000", "+86 138-0000-0000", "0431-81234567", "010-12345678", "0431 8123456",
     "0431-81234567转808", "400-123-4567"],
)  # fmt: skip
def test_numbers_people_write_are_accepted(number):
    assert phone_ok(number)


@pytest.mark.parametrize("number", ["1380431", "12800000000", "81234567", "0431-123", "138000000001", "电话"])
def test_anything_else_is_refused_in_words(number):
    with pytest.raises(ValidationError, match="11 位手机号"):
        validate_phone(number)


def test_the_public_form_refuses_a_short_number_and_files_nothing(client, db):
    from xinqu.service_requests.models import Category, ServiceRequest

    category = Category.objects.first()
    response = client.post(
        "/service/new/",
        {"category": category.pk, "enterprise_name": "某公司", "contact_name": "王", "contact_phone": "1380431",
         "description": "咨询政策"},
    )  # fmt: skip
    assert response.status_code == 200 and "11 位手机号" in response.content.decode()
    assert not ServiceRequest.objects.exists()
