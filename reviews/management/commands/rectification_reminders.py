"""Daily rectification reminders (run once a day, e.g. from cron): items due within 7 days,
overdue items, plans waiting for approval. Running it twice on a day sends nothing twice."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from reviews.rectification.reminders import reminders_send


class Command(BaseCommand):
    help = "发送整改提醒：7天内到期、已逾期的整改事项，待审核的整改清单（同一事项每天最多提醒一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期计算（YYYY-MM-DD，默认今天，北京时间）")
        parser.add_argument("--email", action="store_true", help="同时发送电子邮件（使用 Django 邮件设置）")

    def handle(self, *args, date=None, email=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        sent = reminders_send(today=today, email=email)
        self.stdout.write(f"已发送 {sent} 条整改提醒。")
