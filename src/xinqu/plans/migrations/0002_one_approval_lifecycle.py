"""Plan reports take the shared approval fields (core.models.Approvable): ``approved_by`` /
``approved_at`` are now ``reviewed_by`` / ``reviewed_at`` (an approved report keeps its
reviewer and time), the return reason is ``review_note``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial"), ("core", "0010_import_job_worker")]

    operations = [
        migrations.RenameField("report", "approved_by", "reviewed_by"),
        migrations.RenameField("report", "approved_at", "reviewed_at"),
        migrations.RenameField("report", "return_reason", "review_note"),
    ]
