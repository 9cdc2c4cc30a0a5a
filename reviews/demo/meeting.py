"""Demo data of the meeting day, for seed_demo: this year's 述职评议会 set up (agenda of the
reports submitted so far, attendees by voter group, a few already checked in) with the
evaluation still a draft, so the console, the big screen and the check-in page show something
and the host can try the draw and start the first speech."""

import datetime

from django.utils import timezone

from reviews.ballots.selectors import evaluation_of
from reviews.demo.ballots import demo_evaluation_save
from reviews.meeting import services
from reviews.models import Attendee, Meeting

ATTENDEES = {
    "班子成员": ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵敏"],
    "党员代表": ["黄磊", "周婷", "吴刚", "徐丽", "孙强", "马超", "朱红", "胡军"],
    "群众代表": ["郭芳", "何平", "高峰", "林琳", "罗斌"],
}
# Who has checked in: by phone (a demo phone id each) or ticked by the host (代签).
CHECKED_IN_BY_PHONE = ["王建国", "李秀英", "黄磊", "郭芳"]
CHECKED_IN_BY_HOST = ["张伟"]


def seed_meeting(*, cycle, by):
    # As the agenda (meeting_save): every report handed in, also one returned for changes.
    reports = list(cycle.reports.filter(submitted_at__isnull=False).order_by("organization__order"))
    demo_evaluation_save(cycle=cycle, by=by, reports=reports)
    groups = {group.name: group for group in evaluation_of(cycle).groups.all()}
    meeting = services.meeting_save(
        cycle=cycle,
        by=by,
        title=f"{cycle.year}年度党组织书记抓基层党建工作述职评议会",
        date=cycle.meeting_date or timezone.localdate() + datetime.timedelta(days=7),
        place="街道党群服务中心三楼会议室",
    )
    services.attendees_set(meeting=meeting, by=by, names_by_group={groups[name].pk: names for name, names in ATTENDEES.items()})
    for index, name in enumerate(CHECKED_IN_BY_PHONE):
        services.attendee_check_in(attendee=Attendee.objects.get(meeting=meeting, name=name), device=f"p{index}demophone{index:05d}")
    for name in CHECKED_IN_BY_HOST:
        services.attendee_check_in(attendee=Attendee.objects.get(meeting=meeting, name=name), by=by)
    services.screen_set(meeting=meeting, by=by, screen=Meeting.Screen.CHECKIN)
    return meeting
