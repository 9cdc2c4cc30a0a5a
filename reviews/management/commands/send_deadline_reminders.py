"""Daily by cron: notify secretaries whose report is due within 3 days (idempotent per day)."""

from django.core.management.base import BaseCommand

from reviews.console.reminders import deadline_reminders_send


class Command(BaseCommand):
    help = "提醒尚未提交述职报告、且距截止不足 3 天的书记（同一天重复运行不会重复提醒）。"

    def handle(self, *args, **options):
        sent = deadline_reminders_send()
        self.stdout.write(f"已发送 {sent} 条截止提醒。")
