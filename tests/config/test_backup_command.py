"""`manage.py backup` / `restore`: database and uploaded files in one file, made while the app
runs, restored exactly — on SQLite (online backup API) and PostgreSQL (pg_dump/pg_restore);
both runs of .ci/test-all run these tests."""

import io
import json
import tarfile
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from jobs.backup import backup_read_manifest
from jobs.models import Job
from reports.models import Report, ReportVersion
from reviews.models import Evaluation
from tests.config.test_backup import build_data, snapshot, write_report


def uploaded(w):
    """An uploaded file as the app keeps them: a finished job's file under MEDIA_ROOT."""
    job = Job.objects.create(
        kind=Job.Kind.SUMMARY, requested_by=w.admin, organization=w.committee, cycle=w.cycle, status=Job.Status.DONE
    )
    job.file.save("汇总.pdf", ContentFile(b"%PDF-1.7 evidence"))
    return job


def test_backup_then_restore_gives_back_the_database_and_the_files(transactional_db, tmp_path):
    w = build_data()
    job = uploaded(w)
    before = snapshot()
    out = io.StringIO()
    call_command("backup", "--out", str(tmp_path), stdout=out)
    [path] = tmp_path.glob("shuping-backup-*.tar")
    assert "已备份到" in out.getvalue()
    assert path.stat().st_mode & 0o777 == 0o600
    manifest = backup_read_manifest(path)
    assert manifest["database"] == connection.vendor and manifest["media_files"] == 1
    # The schema is each app's latest applied migration (here: jobs' newest file).
    newest_jobs = max(p.stem for p in (Path(settings.BASE_DIR) / "jobs" / "migrations").glob("0*.py"))
    assert manifest["schema"]["jobs"] == newest_jobs

    # Everything changes afterwards: new rows, changed rows, the file gone, a stray file.
    write_report(Report.objects.get(pk=w.report_b.pk), w.secretary_b, "备份之后")
    Report.objects.filter(pk=w.report_a.pk).update(return_reason="备份之后改的")
    job.file.delete(save=False)
    (settings.MEDIA_ROOT / "stray.txt").write_text("after the backup")
    assert snapshot() != before

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert snapshot() != before  # nothing was touched without --yes
    call_command("restore", str(path), "--yes", stdout=io.StringIO())

    assert snapshot() == before
    assert Job.objects.get(pk=job.pk).file.read() == b"%PDF-1.7 evidence"
    assert not (settings.MEDIA_ROOT / "stray.txt").exists()
    # The id sequences came back too: new rows do not collide with restored ones.
    new_version = write_report(Report.objects.get(pk=w.report_b.pk), w.secretary_b, "恢复之后")
    assert new_version.pk > max(v.pk for v in ReportVersion.objects.exclude(pk=new_version.pk))


def test_backup_while_the_app_writes(transactional_db, tmp_path):
    """Writers keep going during the backup; the backup is one consistent state and all writes land."""
    w = build_data()
    stop, errors, written = threading.Event(), [], []

    def writer():
        try:
            while not stop.is_set():
                written.append(Job.objects.create(kind=Job.Kind.SUMMARY, requested_by=w.admin, organization=w.committee).pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory test database is one connection; SQLite's online backup is exercised above")
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        call_command("backup", "--out", str(tmp_path / "live.tar"), stdout=io.StringIO())
    finally:
        stop.set()
        thread.join()
    assert not errors and len(written) > 0
    assert Job.objects.count() == len(written)
    call_command("restore", str(tmp_path / "live.tar"), "--yes", stdout=io.StringIO())
    assert 0 <= Job.objects.count() <= len(written)  # a snapshot from some moment during the writes


def test_no_backup_during_voting_unless_asked(transactional_db, tmp_path):
    w = build_data()
    Evaluation.objects.create(cycle=w.cycle, title="民主测评", status=Evaluation.Status.OPEN)
    with pytest.raises(CommandError, match="民主测评正在进行"):
        call_command("backup", "--out", str(tmp_path / "a.tar"))
    assert not (tmp_path / "a.tar").exists()
    call_command("backup", "--out", str(tmp_path / "a.tar"), "--during-voting", stdout=io.StringIO())
    assert (tmp_path / "a.tar").exists()


def test_restore_refuses_another_database_another_schema_and_unsafe_paths(transactional_db, tmp_path):
    build_data()
    path = tmp_path / "b.tar"
    call_command("backup", "--out", str(path), stdout=io.StringIO())
    manifest = backup_read_manifest(path)

    def doctored(name, **changes):
        target = tmp_path / name
        with tarfile.open(path) as source, tarfile.open(target, "w") as archive:
            for member in source.getmembers():
                if member.name == "manifest.json":
                    content = json.dumps({**manifest, **changes}).encode()
                    member.size = len(content)
                    archive.addfile(member, io.BytesIO(content))
                else:
                    archive.addfile(member, source.extractfile(member) if member.isfile() else None)
            if name == "evil.tar":
                evil = tarfile.TarInfo("media/../../escaped.txt")
                evil.size = 4
                archive.addfile(evil, io.BytesIO(b"evil"))
        return target

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    with pytest.raises(CommandError, match="dumpdata/loaddata"):
        call_command("restore", str(doctored("other.tar", database=other)), "--yes")
    with pytest.raises(CommandError, match="数据库结构"):
        call_command("restore", str(doctored("schema.tar", schema={**manifest["schema"], "jobs": "0099_future"})), "--yes")
    with pytest.raises(CommandError, match="不安全的路径"):
        call_command("restore", str(doctored("evil.tar")), "--yes")
    assert not (tmp_path.parent / "escaped.txt").exists()
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        (tmp_path / "junk.tar").write_bytes(b"not a tar")
        call_command("restore", str(tmp_path / "junk.tar"), "--yes")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", "--out", str(path))


def test_backup_to_standard_output(transactional_db, tmp_path, capsysbinary):
    build_data()
    call_command("backup", "--out", "-")
    path = tmp_path / "piped.tar"
    path.write_bytes(capsysbinary.readouterr().out)
    assert backup_read_manifest(path)["database"] == connection.vendor


def test_a_leftover_partial_file_neither_widens_the_backups_permissions_nor_redirects_it(transactional_db, tmp_path):
    """A `.partial` left by a crashed run (or planted), readable by others or a symlink to another
    file: the backup is still a new file only its owner reads, and the other file is untouched."""
    build_data()
    path = tmp_path / "backup.tar"
    partial = tmp_path / "backup.tar.partial"
    partial.write_bytes(b"old")
    partial.chmod(0o644)
    call_command("backup", "--out", str(path), stdout=io.StringIO())
    assert path.stat().st_mode & 0o777 == 0o600
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "second.tar.partial").symlink_to(victim)
    call_command("backup", "--out", str(tmp_path / "second.tar"), stdout=io.StringIO())
    assert victim.read_text() == "keep me"
    assert (tmp_path / "second.tar").stat().st_mode & 0o777 == 0o600 and not (tmp_path / "second.tar").is_symlink()
