"""`python manage.py backup [--out FILE]`: the database and the uploaded files in one file,
while the app keeps running (README 备份与恢复). Restore with `manage.py restore FILE`."""

import shutil
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jobs.backup import BackupError, backup_default_name, backup_write


class Command(BaseCommand):
    help = "备份数据库和上传的文件（应用运行时即可备份）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", help="备份文件路径或目录（默认：当前目录下 shuping-backup-日期-时间.tar）；- 表示写到标准输出"
        )
        parser.add_argument("--during-voting", action="store_true", help="民主测评进行中也备份（见 README 民主测评保密）")

    def handle(self, *args, out=None, during_voting=False, **options):
        if out == "-":
            return self._to_stdout(during_voting)
        path = Path(out or ".")
        if path.is_dir():
            path = path / backup_default_name()
        if path.exists():
            raise CommandError(f"{path} 已存在，不会覆盖。")
        try:
            manifest = backup_write(path=path, allow_during_voting=during_voting)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size / 1024 / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {path}（{size:.1f} MB；数据库 {manifest['database']}，上传文件 {manifest['media_files']} 个）"
            )
        )

    def _to_stdout(self, during_voting):
        # For `docker compose exec -T web python manage.py backup --out - > backup.tar`.
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / backup_default_name()
            try:
                backup_write(path=path, allow_during_voting=during_voting)
            except BackupError as error:
                raise CommandError(str(error)) from error
            with open(path, "rb") as source:
                shutil.copyfileobj(source, sys.stdout.buffer)
            sys.stdout.buffer.flush()
