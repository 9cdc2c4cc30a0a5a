"""Backup and restore of the database and the uploaded files (media), while the app runs.

One file, a tar archive:
    manifest.json      when, which database, the schema (the latest migration of each app), sizes
    database.sqlite3   SQLite: a consistent copy made with SQLite's online backup API
    database.pgdump    PostgreSQL: `pg_dump --format=custom` (one consistent snapshot)
    media/...          the uploaded files (evidence, job results)

`manage.py backup` and `manage.py restore` (jobs/management/commands) call these.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from reviews.models import Evaluation

FORMAT = 1
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator (Chinese)."""


def voting_open():
    return Evaluation.objects.filter(status=Evaluation.Status.OPEN).exists()


def _schema():
    """{app: latest applied migration}: a restore needs the same code version."""
    latest = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name").order_by("app", "name"):
        latest[app] = name
    return latest


def _pg_env():
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(s.get("PASSWORD") or "")}
    args = ["--dbname", s["NAME"], "--username", s.get("USER") or ""]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    return env, args


def _run(command, env):
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian: postgresql-client）。") from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-500:]}")


def _dump_database(path):
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            # Online: pages are copied under SQLite's own locks; writers wait a moment, nobody stops.
            connection.connection.backup(target)
        finally:
            target.close()
    elif vendor == "postgresql":
        env, args = _pg_env()
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *args], env)
    else:
        raise BackupError(f"不支持的数据库：{vendor}")


def _add_bytes(archive, name, content):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(content), int(timezone.now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(content))


def backup_write(*, path, allow_during_voting=False):
    """Write a backup to `path` (a new file). Returns the manifest."""
    if voting_open() and not allow_during_voting:
        raise BackupError(
            "民主测评正在进行：此时的备份能看出投票先后（见 README 民主测评保密）。请在结束测评后备份；"
            "确需备份请加 --during-voting，并像测评码一样保管、在结束测评后销毁该备份。"
        )
    path = Path(path)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DUMP_NAMES.get(connection.vendor, "database")
        _dump_database(dump)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "schema": _schema(),
            "database_bytes": dump.stat().st_size,
            "media_files": sum(1 for item in media.rglob("*") if item.is_file()) if media.is_dir() else 0,
        }
        partial = path.with_name(path.name + ".partial")
        # Not readable by others: the backup holds everything, passwords' hashes included. A new
        # file: a leftover .partial would keep its own permissions, and a symlink would be followed.
        partial.unlink(missing_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            archive.add(dump, arcname=dump.name)
            if media.is_dir():
                archive.add(media, arcname="media")
        partial.replace(path)
    return manifest


def backup_read_manifest(path):
    with tarfile.open(path) as archive:
        return json.load(archive.extractfile("manifest.json"))


def _extract(archive, prefix, dest):
    """Extract the regular files under `prefix` into `dest` (Python 3.11.2 has no tarfile filters):
    no links, devices, absolute paths or `..` — a doctored backup writes nowhere else."""
    dest = Path(dest).resolve()
    for member in archive.getmembers():
        if not (member.name == prefix or member.name.startswith(prefix + "/")):
            continue
        target = (dest / member.name).resolve()
        if dest not in target.parents:
            raise BackupError(f"备份文件中有不安全的路径：{member.name}")
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
        else:
            raise BackupError(f"备份文件中有不支持的条目：{member.name}")


def backup_restore(*, path):
    """Replace the database and the uploaded files with the backup's. The schema must match
    (the same code version, migrated). Returns the manifest."""
    try:
        manifest = backup_read_manifest(path)
    except (tarfile.TarError, KeyError, ValueError, OSError) as error:
        raise BackupError(f"不是有效的备份文件：{error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError("备份文件格式版本不符。")
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"备份来自 {manifest['database']}，当前数据库是 {connection.vendor}：请用 dumpdata/loaddata 迁移（见 README 备份与恢复）。"
        )
    if manifest["schema"] != _schema():
        raise BackupError("备份时的数据库结构与当前代码不同：请检出备份时的代码版本并执行 migrate 后再恢复。")
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work, tarfile.open(path) as archive:
        work = Path(work)
        name = DUMP_NAMES[connection.vendor]
        _extract(archive, name, work)
        _extract(archive, "media", work)
        _restore_database(work / name)
        # The folder's contents, not the folder: in Docker it is a mounted volume.
        media.mkdir(parents=True, exist_ok=True)
        for item in media.iterdir():
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item)
            else:
                item.unlink()
        restored_media = work / "media"
        if restored_media.is_dir():
            shutil.copytree(restored_media, media, dirs_exist_ok=True)
    return manifest


def _restore_database(dump):
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # nothing of ours holds a lock while tables are replaced
        env, args = _pg_env()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(dump)], env)


def backup_default_name(now=None):
    now = timezone.localtime(now or timezone.now())
    return f"shuping-backup-{now:%Y%m%d-%H%M%S}.tar"

