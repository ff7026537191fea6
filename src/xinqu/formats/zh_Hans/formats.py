# Django's Simplified Chinese formats, with the digit grouping statistics bulletins print
# (845、1,200、40,000): Django leaves the thousands separator empty for zh-hans.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
