"""The qualification kinds and cultivation tiers every zone starts with; users may change them."""

from django.db import migrations

KINDS = [
    # code, name, English, group, group name, validity months, review months, level
    ("high_tech", "高新技术企业", "High-tech enterprise", "high_tech", "高新技术企业", 36, None, 0),
    ("tech_sme", "科技型中小企业", "Tech-based SME", "tech_sme", "科技型中小企业", 12, None, 0),
    ("innovative_sme", "创新型中小企业", "Innovative SME", "innovative_sme", "创新型中小企业", 36, 36, 0),
    ("provincial_srdi", "省级专精特新中小企业", "Provincial SRDI SME", "srdi", "专精特新", 36, 36, 1),
    ("little_giant", "国家级专精特新“小巨人”企业", "National SRDI 'little giant'", "srdi", "专精特新", 36, 36, 2),
    ("listed", "上市企业", "Listed company", "listed", "上市企业", None, None, 0),
]

TIERS = [
    # code, name, rank, min revenue (万元), min growth %, qualification kinds (any of)
    ("leading", "昂首", 3, 50000, 10, []),
    ("strengthening", "强基", 2, 5000, None, ["high_tech", "provincial_srdi", "little_giant"]),
    ("potential", "挖潜", 1, None, None, ["tech_sme", "innovative_sme", "high_tech"]),
]


def create(apps, schema_editor):
    Kind = apps.get_model("enterprises", "QualificationKind")
    Tier = apps.get_model("enterprises", "Tier")
    kinds = {}
    for order, (code, name, name_en, group, group_name, validity, review, level) in enumerate(KINDS, start=1):
        kinds[code], _ = Kind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "group": group,
                "group_name": group_name,
                "validity_months": validity,
                "review_months": review,
                "level": level,
                "sort_order": order,
            },
        )
    for code, name, rank, revenue, growth, kind_codes in TIERS:
        tier, created = Tier.objects.get_or_create(
            code=code, defaults={"name": name, "rank": rank, "min_revenue": revenue, "min_growth_pct": growth}
        )
        if created:
            tier.qualification_kinds.set([kinds[c] for c in kind_codes])


def remove(apps, schema_editor):
    apps.get_model("enterprises", "Tier").objects.filter(code__in=[t[0] for t in TIERS]).delete()
    apps.get_model("enterprises", "QualificationKind").objects.filter(code__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
