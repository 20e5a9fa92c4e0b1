"""FAQ categories per municipality.

The twelve categories that were a fixed list become rows of every municipality that has FAQ
entries (the demo cities, and any city that imported with those slugs), so their entries keep
their category and its labels. Any other category text found on an entry gets a row too.
"""

import django.db.models.deletion
from django.db import migrations, models

# Frozen here: the list as it was when categories became per municipality.
FORMER_CATEGORIES = {
    "moving": {"ja": "引越し・住所変更", "en": "Moving and address changes"},
    "certificates": {"ja": "証明書・マイナンバー", "en": "Certificates and My Number"},
    "tax": {"ja": "税金", "en": "Taxes"},
    "pension": {"ja": "年金", "en": "Pension"},
    "general": {"ja": "市役所の案内", "en": "City hall information"},
    "living": {"ja": "暮らし", "en": "Daily life"},
    "garbage": {"ja": "ごみ・リサイクル", "en": "Garbage and recycling"},
    "childcare": {"ja": "子育て・教育", "en": "Children and education"},
    "health-insurance": {"ja": "国民健康保険・医療", "en": "Health insurance and medical care"},
    "disaster": {"ja": "防災", "en": "Disaster preparedness"},
    "welfare": {"ja": "福祉・介護", "en": "Welfare and long-term care"},
    "health": {"ja": "健康・予防接種", "en": "Health and vaccinations"},
}


def create_categories(apps, schema_editor):
    FaqEntry = apps.get_model("assistant", "FaqEntry")
    FaqCategory = apps.get_model("assistant", "FaqCategory")
    used: dict[int, set[str]] = {}
    for municipality_id, category in FaqEntry.objects.values_list("municipality_id", "category").distinct():
        used.setdefault(municipality_id, set()).add(category)
    for municipality_id, keys in used.items():
        rows = dict(FORMER_CATEGORIES)
        rows.update({key: {"ja": key} for key in sorted(keys) if key and key not in rows})
        FaqCategory.objects.bulk_create(
            [
                FaqCategory(municipality_id=municipality_id, key=key, labels=labels, position=position)
                for position, (key, labels) in enumerate(rows.items(), 1)
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assistant", "0001_initial"),
        ("tenants", "0003_staffapitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="FaqCategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=64, verbose_name="key")),
                ("labels", models.JSONField(blank=True, default=dict)),
                ("position", models.PositiveIntegerField(default=0)),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.municipality"
                    ),
                ),
            ],
            options={
                "verbose_name": "FAQ category",
                "ordering": ["municipality", "position", "key"],
                "constraints": [models.UniqueConstraint(fields=("municipality", "key"), name="uniq_faq_category_key")],
            },
        ),
        migrations.AlterField(
            model_name="faqentry",
            name="category",
            field=models.CharField(blank=True, max_length=64, verbose_name="category"),
        ),
        migrations.AddField(
            model_name="faqentry",
            name="source_updated",
            field=models.DateField(blank=True, null=True, verbose_name="source updated"),
        ),
        migrations.RunPython(create_categories, migrations.RunPython.noop),
    ]
