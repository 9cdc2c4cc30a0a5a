"""Demo data (`make demo`): the seeding itself is reviews.demo.seed."""

from django.core.management.base import BaseCommand

from reviews.demo.seed import PASSWORD, demo_seed


class Command(BaseCommand):
    help = "生成演示数据（可重复运行：已存在时不做任何修改）。"

    def handle(self, *args, **options):
        if not demo_seed():
            self.stdout.write("演示数据已存在，未做修改。")
            return
        self.stdout.write(self.style.SUCCESS(f"演示数据已生成。所有演示账号的密码均为 {PASSWORD}。"))
