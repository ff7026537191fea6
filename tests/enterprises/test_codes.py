import pytest
from django.core.exceptions import ValidationError

from xinqu.enterprises.codes import credit_check_char, validate_credit_code, validate_industry_code


def test_the_standards_example_code_is_valid():
    validate_credit_code("91350100M000100Y43")  # the example printed in GB 32100-2015


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9135010M000100Y43", "应为 18 位"),
        ("91350100M000100Y4I", "第 18 位“I”不是允许的字符"),
        ("91350100M000100Y44", "校验位错误：第 18 位应为“3”"),
        ("91350100O000100Y43", "第 9 位“O”"),
    ],
)
def test_wrong_codes_say_what_is_wrong(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_credit_code(code)


def test_lower_case_and_spaces_are_normalised():
    validate_credit_code(" 91350100m000100y43 ")


def test_check_char_wraps_31_to_zero():
    # Whatever the body, the check character is always in the alphabet.
    assert credit_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", ["C", "C36", "C367", "C3670", "I6513", "T97"])
def test_industry_codes_accepted(code):
    validate_industry_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [("Z12", "格式不对"), ("C9999", "不属于门类 C"), ("A06", "不属于门类 A"), ("C36701", "格式不对")],
)
def test_industry_codes_refused(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_industry_code(code)
