"""Rubric order as users count: criteria were numbered from 0 (the first one showed “排序 0”).
Every cycle whose criteria include 0 has them all moved up by one; the order among them stays."""

from django.db import migrations
from django.db.models import F


def orders_from_one(apps, schema_editor):
    Criterion = apps.get_model("reviews", "Criterion")
    cycles = Criterion.objects.filter(order=0).values("cycle_id")
    Criterion.objects.filter(cycle_id__in=cycles).update(order=F("order") + 1)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0008_publication")]

    operations = [migrations.RunPython(orders_from_one, migrations.RunPython.noop)]
