"""The roles an account can hold. One account holds exactly one role."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # A new account holds no business access until the security administrator grants a role.
    PENDING = "pending", _("待授权")
    STAFF = "staff", _("部门工作人员")
    HEAD = "head", _("部门负责人")
    LEADER = "leader", _("管委会领导")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# The three separated administrator duties (三员分立). They read no business records.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that belong to a department and write its records.
DEPARTMENT_ROLES = frozenset({Role.STAFF, Role.HEAD})
BUSINESS_ROLES = DEPARTMENT_ROLES | {Role.LEADER}
