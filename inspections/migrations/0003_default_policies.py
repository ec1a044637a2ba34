"""The default deadline policies (docs/deadlines.md); the office edits them afterwards in the admin."""

from django.db import migrations

# key, name, duration, unit, reminder days, repeats every (months)
DEFAULTS = [
    ("on_site_regular", "进驻期(常规巡视)", 60, "calendar_days", [20], None),
    ("on_site_short", "进驻期(回头看、专项、机动巡视)", 30, "calendar_days", [20], None),
    ("report", "报送巡视报告(撤离后15个工作日)", 15, "working_days", [], None),
    ("plan", "报送整改方案(反馈后1个月)", 1, "months", [20], None),
    ("rectification_report", "报送整改报告(反馈后2个月)", 2, "months", [20], None),
    ("item", "整改事项(方案确定的时限)", None, "calendar_days", [20], None),
    ("immediate_item", "立行立改事项", None, "calendar_days", [], None),
    ("long_term_progress", "长期整改事项进展报告(每6个月)", 6, "months", [20], 6),
    ("lead_report_back", "问题线索办理情况报告(移交后3个月)", 3, "months", [20], None),
]


def create(apps, schema_editor):
    policy = apps.get_model("workflows", "DeadlinePolicy")
    for key, name, duration, unit, reminders, repeats in DEFAULTS:
        policy.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "duration": duration,
                "unit": unit,
                "reminder_days": reminders,
                "yellow_days": 10,
                "yellow_audiences": ["responsible", "supervisor"],
                "red_audiences": ["responsible", "party_head", "office"],
                "overdue_first_interval_days": 1,
                "overdue_max_interval_days": 32,
                "repeats_every_months": repeats,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("workflows", "DeadlinePolicy").objects.filter(
        key__in=[row[0] for row in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_planned_stationing"),
        ("workflows", "0002_deadlines_outbox"),
    ]

    operations = [migrations.RunPython(create, remove)]
