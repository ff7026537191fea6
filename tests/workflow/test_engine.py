"""The closed-loop engine with a toy kind: states, roles, working-day clocks, the timeline,
optimistic locking and attachments."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinqu.core.roles import Role
from xinqu.workflow import engine
from xinqu.workflow.models import Event, Item

STAFF = lambda user, item: user is not None and user.role in (Role.STAFF, Role.HEAD)  # noqa: E731
HEAD = lambda user, item: user is not None and user.role == Role.HEAD  # noqa: E731
ANYONE = lambda user, item: True  # noqa: E731

TOY = engine.Kind(
    key="toy",
    label="toy",
    prefix="T",
    states={"new": "新", "doing": "办理中", "waiting": "待补充", "done": "办结"},
    initial="new",
    closed=frozenset({"done"}),
    time_limit=lambda item, action: 1 if action == "open" else 5,
)
TOY.add(
    engine.Transition("take", "签收", frozenset({"new"}), "doing", STAFF, clock="start"),
    engine.Transition(
        "ask",
        "补充材料",
        frozenset({"doing"}),
        "waiting",
        STAFF,
        clock="pause",
        needs_comment=True,
        public=True,
    ),
    engine.Transition("answer", "补充", frozenset({"waiting"}), "doing", ANYONE, clock="resume"),
    engine.Transition("finish", "办结", frozenset({"doing"}), "done", HEAD, clock="stop"),
)
engine.register(TOY)
AT = lambda y, m, d, h=10: timezone.make_aware(dt.datetime(y, m, d, h))  # noqa: E731


@pytest.fixture
def item(db, econ_staff):
    return engine.item_open(kind=TOY, title="道路破损", actor=econ_staff, now=AT(2024, 2, 8))


def test_deadlines_count_working_days_and_pause_while_waiting(item, econ_staff):
    assert item.number == "T202402080001"
    assert item.due_on == dt.date(2024, 2, 9)
    item = engine.item_act(item=item, action="take", actor=econ_staff, now=AT(2024, 2, 9))
    assert item.due_on == dt.date(2024, 2, 22)  # 5 working days over 春节, counting the Sunday worked
    item = engine.item_act(
        item=item, action="ask", actor=econ_staff, comment="请补充照片", now=AT(2024, 2, 19)
    )
    assert engine.deadline_state(item, dt.date(2024, 3, 30)) == "paused"
    item = engine.item_act(item=item, action="answer", actor=None, actor_label="企业", now=AT(2024, 2, 21))
    assert item.due_on == dt.date(2024, 2, 26)  # waited 2 working days: the deadline moves by 2
    assert engine.deadline_state(item, dt.date(2024, 2, 21)) == ""
    assert engine.deadline_state(item, dt.date(2024, 2, 23)) == "due_soon"
    assert engine.deadline_state(item, dt.date(2024, 2, 27)) == "overdue"


def test_the_timeline_records_every_step_and_cannot_be_rewritten(item, econ_staff, econ_head):
    item = engine.item_act(item=item, action="take", actor=econ_staff)
    item = engine.item_act(item=item, action="finish", actor=econ_head, comment="已修复")
    events = list(item.events.all())
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("open", "", "new"),
        ("take", "new", "doing"),
        ("finish", "doing", "done"),
    ]
    assert item.closed_at is not None and engine.deadline_state(item) == "closed"
    with pytest.raises(ValueError):
        events[0].comment = "改写"
        events[0].save()
    with pytest.raises(ValueError):
        events[0].delete()


def test_every_state_and_action_pair_the_machine_does_not_allow_is_refused(item, econ_head):
    for state, action in itertools.product(TOY.states, TOY.transitions):
        if state in TOY.transitions[action].sources:
            continue
        Item.objects.filter(pk=item.pk).update(state=state)
        item.refresh_from_db()
        events = Event.objects.count()
        with pytest.raises(ValidationError, match="不能"):
            engine.item_act(item=item, action=action, actor=econ_head, comment="x")
        item.refresh_from_db()
        assert item.state == state and Event.objects.count() == events


def test_acting_without_the_role_or_the_reason_changes_nothing(item, econ_staff, leader):
    with pytest.raises(PermissionDenied):
        engine.item_act(item=item, action="take", actor=leader)
    item = engine.item_act(item=item, action="take", actor=econ_staff)
    with pytest.raises(PermissionDenied):
        engine.item_act(item=item, action="finish", actor=econ_staff)
    with pytest.raises(ValidationError, match="理由"):
        engine.item_act(item=item, action="ask", actor=econ_staff, comment=" ")
    item.refresh_from_db()
    assert item.state == "doing" and item.events.count() == 2


def test_of_two_people_acting_at_once_exactly_one_succeeds(item, econ_staff, make_user, econ):
    other = make_user("other-staff", Role.STAFF, econ)
    seen = Item.objects.get(pk=item.pk)  # both loaded the same version
    engine.item_act(item=item, action="take", actor=econ_staff, version=seen.version)
    with pytest.raises(engine.ChangedMeanwhile, match="办理中"):
        engine.item_act(item=seen, action="take", actor=other, version=seen.version)
    assert Item.objects.get(pk=item.pk).events.filter(action="take").count() == 1


def test_attachments_are_checked_by_content(item, econ_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    item = engine.item_act(item=item, action="take", actor=econ_staff, attachments=[photo])
    assert item.events.last().attachments.get().name == "现场.png"
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="类型不允许"):
        engine.item_act(item=item, action="ask", actor=econ_staff, comment="补充", attachments=[fake])
    settings.ATTACHMENT_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="超过 1 MB"):
        engine.item_act(item=item, action="ask", actor=econ_staff, comment="补充", attachments=[big])
    item.refresh_from_db()
    assert item.state == "doing"


def test_supervision_levels_only_rise(item):
    assert engine.escalate(item=item, level=1, reason="逾期 1 个工作日")
    assert not engine.escalate(item=item, level=1, reason="again")
    assert engine.escalate(item=item, level=5, reason="逾期 10 个工作日")
    item.refresh_from_db()
    assert item.supervision_level == 3
    assert item.events.filter(action="supervise").count() == 2
