from django.db import migrations

# name, English name, time limit in working days (enquiries 1, ordinary 5, complex 15)
CATEGORIES = [
    ("政策咨询", "Policy enquiry", 1),
    ("审批许可", "Permits and approvals", 5),
    ("融资", "Financing", 5),
    ("人才", "Talent", 5),
    ("水电气暖", "Utilities", 5),
    ("用工", "Labour", 5),
    ("土地与规划", "Land and planning", 15),
    ("其他", "Other", 5),
]


def create(apps, schema_editor):
    Category = apps.get_model("service_requests", "Category")
    for order, (name, name_en, days) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"name_en": name_en, "time_limit": days, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
