"""Indicator returns take the shared approval fields (core.models.Approvable): the return reason
is now ``review_note``; the first submission time is kept from now on (existing submitted
returns take their last submission as the first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_data_version_triggers"), ("core", "0010_import_job_worker")]

    operations = [
        migrations.RenameField("submission", "return_reason", "review_note"),
    ]
