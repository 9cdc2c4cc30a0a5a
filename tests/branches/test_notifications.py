from django.core import mail
from django.urls import reverse

from branches.models import Notification
from branches.services import notifications_mark_read, notify


def test_notify_creates_one_per_user_and_emails_when_asked(world, django_capture_on_commit_callbacks):
    world.secretary_a.email = "a@example.org"
    world.secretary_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        count = notify(users=[world.secretary_a, world.secretary_b, None], text="请按时提交述职报告", url="/", email=True)
    assert count == 2
    assert Notification.objects.filter(text="请按时提交述职报告").count() == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.org"]


def test_mark_read_only_own(world):
    Notification.objects.all().delete()  # the world's cycle launch told the secretaries already
    notify(users=[world.secretary_a, world.secretary_b], text="通知")
    own = world.secretary_a.notifications.get()
    assert notifications_mark_read(user=world.secretary_b, notification_ids=[own.pk]) == 0
    assert notifications_mark_read(user=world.secretary_a) == 1
    own.refresh_from_db()
    assert own.read_at is not None


def test_bell_shows_unread_count_and_list(world, client):
    Notification.objects.all().delete()  # the world's cycle launch told the secretaries already
    notify(users=[world.secretary_a], text="您的述职报告已被退回修改", url="/")
    notify(users=[world.secretary_b], text="别人的通知")
    client.force_login(world.secretary_a)
    page = client.get(reverse("branches:notifications")).content.decode()
    assert 'id="notification-count">1<' in page
    assert "您的述职报告已被退回修改" in page and "别人的通知" not in page
    response = client.post(reverse("branches:notifications_read"))
    assert response.status_code == 302
    assert 'id="notification-count"' not in client.get(reverse("branches:notifications")).content.decode()


def test_notifications_require_login_and_post(world, client):
    assert client.get(reverse("branches:notifications")).status_code == 302
    client.force_login(world.secretary_a)
    assert client.get(reverse("branches:notifications_read")).status_code == 405


def test_no_email_when_the_action_rolls_back(world, django_capture_on_commit_callbacks):
    world.secretary_a.email = "a@example.org"
    world.secretary_a.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[world.secretary_a], text="将被回滚", email=True)
    # The callback is only registered; nothing was sent before the commit.
    assert len(callbacks) == 1 and mail.outbox == []
