"""Expiring qualifications: the enterprise's service officer hears 90, 30 and 7 days ahead."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinqu.core.phrases import Phrase
from xinqu.core.services import notify
from xinqu.enterprises.selectors import expiring_qualifications

THRESHOLDS = (90, 30, 7)


def remind_expiring_qualifications(dry_run: bool) -> int:
    """Notify each expiring qualification's service officer once per threshold crossed."""
    today = timezone.localdate()
    sent = 0
    items = expiring_qualifications(None, within_days=max(THRESHOLDS), today=today).filter(
        enterprise__service_officer__isnull=False, enterprise__service_officer__is_active=True
    )
    for q in items.iterator(chunk_size=500):
        assert q.expires_on is not None
        days_left = (q.expires_on - today).days
        threshold = min(t for t in THRESHOLDS if days_left <= t)
        if dry_run:
            sent += 1
            continue
        officer = q.enterprise.service_officer
        assert officer is not None
        title = Phrase(
            gettext_noop("%(name)s 的“%(kind)s”将于 %(date)s 到期"),
            name=q.enterprise.name,
            kind=Phrase.names(q.kind.name, q.kind.name_en),
            date=q.expires_on,
        )
        body = Phrase(gettext_noop("还有 %(n)d 天。请提醒企业及时申请复审或重新认定。"), n=days_left)
        sent += notify(
            user=officer,
            key=f"qualification-expiry:{q.pk}:{threshold}",
            title=title,
            body=body,
            url=reverse("enterprises:detail", args=[q.enterprise_id]),
        )
    return sent
