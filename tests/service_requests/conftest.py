import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The public-form limit counts filings per address in the cache, which outlives a test.
    cache.clear()
