from django.db import migrations

# Copied, not imported: a migration must not change when the model module does.
DEFAULT_PROBLEM_CATEGORIES = ["思想政治建设", "组织建设", "作风建设", "党风廉政", "意识形态", "其他"]


def create_default_categories(apps, schema_editor):
    ProblemCategory = apps.get_model("reviews", "ProblemCategory")
    if not ProblemCategory.objects.exists():
        ProblemCategory.objects.bulk_create(
            [ProblemCategory(name=name, order=index) for index, name in enumerate(DEFAULT_PROBLEM_CATEGORIES)]
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(create_default_categories, migrations.RunPython.noop)]
