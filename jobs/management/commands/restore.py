"""`python manage.py restore FILE --yes`: replace the database and the uploaded files with a
backup made by `manage.py backup` (same database kind, same code version). Stop the app and the
worker first; without --yes it only says what would be replaced."""

from django.core.management.base import BaseCommand, CommandError

from jobs.backup import BackupError, backup_read_manifest, backup_restore


class Command(BaseCommand):
    help = "用备份文件替换当前的数据库和上传文件（不可撤销）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="manage.py backup 生成的备份文件")
        parser.add_argument("--yes", action="store_true", help="确认替换当前全部数据")

    def handle(self, *args, file, yes=False, **options):
        try:
            manifest = backup_read_manifest(file)
        except Exception as error:
            raise CommandError(f"不是有效的备份文件：{error}") from error
        if not yes:
            raise CommandError(
                f"恢复会用 {manifest['created_at']} 的备份替换当前全部数据和上传文件，此后的改动全部丢失，不可撤销。"
                "请先停止应用和后台任务，必要时先备份当前数据；确认后加 --yes 再执行。"
            )
        try:
            backup_restore(path=file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"已从 {file} 恢复（备份时间 {manifest['created_at']}）。"))
