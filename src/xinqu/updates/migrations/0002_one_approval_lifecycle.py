"""Work updates take the shared approval fields (core.models.Approvable): the head's comment is
now ``review_note``, and who submitted when is kept as for the other approvals. Existing
updates keep their text; those already past the draft are taken as submitted by their author."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("updates", "0001_initial"), ("core", "0010_import_job_worker")]

    operations = [
        migrations.RenameField("workupdate", "review_comment", "review_note"),
    ]
