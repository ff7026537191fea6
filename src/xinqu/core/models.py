from __future__ import annotations

import hashlib
from typing import Any, ClassVar, Self, TypeVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import is_business, is_department_member, is_leader
from xinqu.core.roles import ADMIN_ROLES, DEPARTMENT_ROLES, Role
from xinqu.core.validators import validate_phone

_M = TypeVar("_M", bound=models.Model)


class Named(models.Model):
    """A record people pick by name: its Chinese name, English name and place in lists. Models
    whose names are longer or unique redeclare ``name``."""

    name = models.CharField(_("名称"), max_length=80)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str | None = None) -> str:
        """The English name on English pages when there is one, else the Chinese."""
        return self.name_en if language == "en" and self.name_en else self.name


class OrgUnit(Named):
    """A node of the zone's one tree: zone → functional area (功能区) → park (园区)."""

    class Kind(models.TextChoices):
        ZONE = "zone", _("新区")
        AREA = "area", _("功能区")
        PARK = "park", _("园区")

    PARENT_KIND: ClassVar[dict[str, str | None]] = {"zone": None, "area": "zone", "park": "area"}

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    is_flagship = models.BooleanField(
        _("双城"), default=False, help_text=_("北湖未来科学城、永春现代生物医药城等旗舰板块")
    )

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("组织单元")
        verbose_name_plural = _("组织单元")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="zone") & Q(parent__isnull=True))
                | (~Q(kind="zone") & Q(parent__isnull=False)),
                name="orgunit_only_zone_is_root",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name_per_parent"),
        ]


class Department(Named):
    """A bureau or office of the zone administration (部门/单位). Departments own records."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")


class XinquUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        # There is no all-powerful account (三员分立): `createsuperuser` makes a system administrator.
        extra.update(is_staff=False, is_superuser=False, role=Role.SYSTEM_ADMIN)
        extra.setdefault("must_change_password", False)
        return self.create_user(username, email, password, **extra)


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[validate_phone])
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("部门"),
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.PENDING)
    must_change_password = models.BooleanField(_("首次登录须改密码"), default=True)

    objects = XinquUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["department__sort_order", "username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in DEPARTMENT_ROLES))
                | Q(department__isnull=False),
                name="user_department_roles_need_department",
                violation_error_message=_("部门工作人员和部门负责人必须属于一个部门。"),
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_is_known"),
            # No account holds every duty at once: there are no superusers.
            models.CheckConstraint(
                condition=Q(is_superuser=False),
                name="user_no_superuser",
                violation_error_message=_("不允许超级用户：系统、安全、审计三员分立。"),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def is_department_member(self) -> bool:
        return self.role in DEPARTMENT_ROLES and self.department_id is not None

    @property
    def is_department_head(self) -> bool:
        return self.role == Role.HEAD and self.department_id is not None


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class AccessQuerySet(models.QuerySet[_M]):
    """The records of a business model as one user may read (``visible_to``) or change
    (``editable_by``) them. Every business model's queryset derives from this, so pages, the API,
    Open311, exports, imports and linked names all ask one question. The default reads: every
    business role reads, department members change their own department's records."""

    department_field: ClassVar[str] = "department"

    def visible_to(self, user: Any) -> Self:
        return self.all() if is_business(user) else self.none()

    def editable_by(self, user: Any) -> Self:
        if not is_department_member(user):
            return self.none()
        return self.filter(**{f"{self.department_field}_id": user.department_id})


class DepartmentOwnedQuerySet(AccessQuerySet[_M]):
    def visible_to(self, user: Any) -> Self:
        """What ``user`` may read: leaders everything, department members their own department's
        records plus other departments' records that are open zone-wide, admins nothing."""
        if is_leader(user):
            return self.all()
        if is_department_member(user):
            return self.filter(Q(department_id=user.department_id) | self.model.zone_visible_q())  # type: ignore[attr-defined]
        return self.none()


class DepartmentOwned(models.Model):
    """Base for every business record a department owns and writes."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    confidential = models.BooleanField(
        _("内部（不公开）"), default=False, help_text=_("仅本部门和管委会领导可见")
    )

    objects = DepartmentOwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def zone_visible_q(cls) -> Q:
        """The records other departments' staff may read. Models narrow it further."""
        return Q(confidential=False)


class ApprovalStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


class Approvable(models.Model):
    """The department approval lifecycle, one set of fields for every module that approves:
    draft → submitted → approved by the department's own head, or returned with a reason (then
    edited and submitted again). Locked once approved. The writes are in ``core.approval``."""

    Status = ApprovalStatus
    EDITABLE: ClassVar[frozenset[str]] = frozenset({ApprovalStatus.DRAFT, ApprovalStatus.RETURNED})

    status = models.CharField(
        _("状态"), max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT
    )
    submitted_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    # Whether a department reported on time is judged by its first submission, not a resubmission.
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True, help_text=_("退回时为退回理由"))

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_approved(self) -> bool:
        return self.status == ApprovalStatus.APPROVED


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only; old entries leave only through audit_purge().")


class AuditEntry(models.Model):
    """One line of the append-only audit log. The database refuses updates and early deletes."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账户锁定")
        PASSWORD = "password", _("修改密码")
        EXPORT = "export", _("导出")
        TOKEN = "token", _("签发令牌")
        REVEAL = "reveal", _("查看个人信息")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # Plain values rather than foreign keys: deleting a user must never rewrite the log.
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class JobStatus(models.TextChoices):
    """Where a job on the worker stands (imports and exports alike)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("出错")


class ImportJob(models.Model):
    """One run of an .xlsx import: a dry run first, then, on the user's confirmation, the commit."""

    Status = JobStatus

    kind = models.CharField(_("导入内容"), max_length=40)
    dry_run = models.BooleanField(_("试导入"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    original_name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(max_length=80)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    options = models.JSONField(default=dict, blank=True)  # what the upload form chose (period, unit …)
    # The process running it ("host:pid") and since when, so a job whose process died is found.
    worker = models.CharField(max_length=80, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"


class ExportJob(models.Model):
    """A large export built on the worker: who asked, for what, and the file once it is ready."""

    Status = JobStatus

    kind = models.CharField(_("导出内容"), max_length=40)
    params = models.JSONField(default=dict, blank=True)  # the page's filters, JSON-ready
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    worker = models.CharField(max_length=80, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(_("文件名"), max_length=120, blank=True)
    stored_name = models.CharField(max_length=80, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message to one user, shown in the header until read. `key` keeps reminders from repeating."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.CharField(_("内容"), max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The title and body as message and values (core.phrases), so each reader sees them in their
    # language; title and body above hold them in the zone's language, for mail and old notices.
    words = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        from xinqu.core.phrases import shown

        return shown(self.words["title"]) if self.words.get("title") else self.title

    @property
    def shown_body(self) -> str:
        from xinqu.core.phrases import shown

        return shown(self.words["body"]) if self.words.get("body") else self.body


class CalendarDay(models.Model):
    """A day the State Council's holiday arrangement changes: a weekday off (holiday) or a weekend
    day worked (调休, workday). Every other day is a working day Monday to Friday and a rest day
    at the weekend. Deadlines count working days on this calendar."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class ClosedMonth(models.Model):
    """A month the statistics office has closed (关账): its figures are final. The latest closed
    month is the zone's current reporting period (当前统计期), every page's default "as of"
    (``core.periods.current_period``)."""

    month = models.DateField(_("月份"), unique=True)  # the first of the month
    closed_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="+", verbose_name=_("关账人")
    )
    closed_at = models.DateTimeField(_("关账时间"), auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("已关账月份")
        verbose_name_plural = _("已关账月份")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
