"""Demo data: a street committee with 3 committee members and 8 branches, last year's
cycle reviewed, graded and published, and this year's cycle collecting reports. Around it
(reviews.demo.history): a county committee above it and a second township with its branches,
and closed years before last year, so that files, analyses and levels show trends.

Run by the management command seed_demo. Idempotent: when the demo committee exists nothing is changed. Everything is written
through the services, as a person would, in one transaction.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from branches.models import Organization, User
from branches.services import administrator_grant, organization_create
from reports.models import Report, ReportVersion
from reports.seed_texts import seed_text
from reports.services import report_return, report_save_draft, report_submit
from reports.splitter import split_report
from reviews.console.launch import cycle_launch, problem_categories_ensure_default
from reviews.demo.ballots import seed_ballots
from reviews.demo.history import (
    COUNTY_NAME,
    COUNTY_REVIEWERS,
    COUNTY_TARGETS,
    STREET_TARGETS,
    TOWNSHIP_BRANCHES,
    TOWNSHIP_NAME,
    TOWNSHIP_REVIEWERS,
    TOWNSHIP_TARGETS,
    closed_year,
    half_points,
    report_write,
)
from reviews.demo.meeting import seed_meeting
from reviews.demo.rectification import seed_rectification
from reviews.models import Grade, ProblemCategory
from reviews.results.services import cycle_close, cycle_publish, notice_save, results_compute
from reviews.rubric_services import result_settings_update
from reviews.services import question_answer, question_ask, review_save, routine_score_set

PASSWORD = "shuping2026"
COMMITTEE_NAME = "城关街道党工委"
# Real texts of this kind (copied from the project's shared seeds); `**` and `xx` are redactions.

REVIEWERS = [("reviewer1", "张建国"), ("reviewer2", "李红梅"), ("reviewer3", "王志强")]
BRANCHES = [
    ("幸福社区党支部", "secretary1", "陈晓燕"),
    ("和平社区党支部", "secretary2", "赵立新"),
    ("光明社区党支部", "secretary3", "孙海涛"),
    ("团结社区党支部", "secretary4", "周文静"),
    ("街道机关第一党支部", "secretary5", "吴国平"),
    ("街道机关第二党支部", "secretary6", "郑丽华"),
    ("城关小学党支部", "secretary7", "冯志远"),
    ("非公企业联合党支部", "secretary8", "何建军"),
]
# Last year's target totals: two 好, three 较好, two 一般, one 差 under the default thresholds.
LAST_YEAR_TARGETS = [95, 91, 88, 85, 82, 74, 66, 48]
# This year's report states, by branch index.
THIS_YEAR_STATES = ["not_started", "draft", "submitted", "submitted", "submitted", "returned", "draft", "not_started"]

COMMENTS = [
    "党建工作责任落实到位，“三会一课”等制度执行规范，问题查摆较为深刻，整改措施具体可行。",
    "工作思路清晰，特色亮点突出，党建引领基层治理成效明显；建议进一步总结提炼经验做法。",
    "能够围绕中心抓党建，但党建与业务融合还不够紧密，问题分析原因不够深入，措施针对性有待加强。",
    "基础工作扎实，党员教育管理较为规范；对青年党员的培养和发展党员工作还需加大力度。",
    "报告内容较为笼统，数据支撑不足，查摆问题避重就轻，下一步计划缺少时间表和责任人。",
]
PROBLEMS = [
    ("理论学习不够深入，存在以读代学、学用脱节现象", "思想政治建设"),
    ("“三会一课”记录不规范，组织生活质量不高", "组织建设"),
    ("党员教育管理方法简单，网络学习平台利用不充分", "组织建设"),
    ("支部书记身兼多职，抓党建精力投入不足", "作风建设"),
    ("党建与业务融合不够，存在“两张皮”现象", "作风建设"),
    ("廉政风险防控措施落实不到位", "党风廉政"),
    ("意识形态阵地管理有薄弱环节，研判不够常态化", "意识形态"),
    ("发展党员工作进展缓慢，后备力量不足", "组织建设"),
]
QUESTIONS = [
    "报告中提到的“党员积分制管理”具体如何考核？请结合实例说明。",
    "今年发展党员工作进展如何？下一步如何解决后备力量不足的问题？",
]
ANSWER = "积分制管理按月记录、季度公示、年底评定，结果与评先评优挂钩。今年已有3名党员因积分靠前获评优秀党员。"


DEMO_REQUIREMENTS = """（一）压紧压实党建工作责任。各党组织书记要切实履行第一责任人职责，把抓基层党建工作摆在突出位置，做到亲自部署、亲自协调、亲自督办。
（二）抓好问题整改落实。对照述职评议中指出的问题，逐条制定整改措施，明确责任人和整改时限，整改情况在下一年度述职中专门报告。
（三）提升组织生活质量。严格落实“三会一课”、主题党日、谈心谈话等制度，规范会议记录，增强组织生活的政治性、时代性、原则性、战斗性。
（四）加强党员队伍建设。坚持标准、严格程序发展党员，注重在青年群众中发展党员，加强流动党员和老党员的教育管理服务。"""


def report_texts():
    """Two real reports from the seeds, split into sections."""
    texts = []
    for name in ["report-community-branch-2023.txt", "summary-agency-branch-2022.txt"]:
        split = split_report(seed_text(name))
        texts.append({field: split[field] for field in ["preamble", "performance", "problems", "plans", "rectification"]})
    return texts


RECTIFICATION_TEXT = (
    "针对上年度述职评议点评指出的问题，支部逐条制定整改措施、明确责任人和完成时限：\n"
    "一是针对理论学习不够深入的问题，建立“第一议题”制度，全年组织专题学习12次；\n"
    "二是针对“三会一课”记录不规范的问题，统一使用组织生活记录本，支委会每季度检查一次；\n"
    "三是针对党建与业务融合不够的问题，开展“党建+网格”行动，党员包联网格全覆盖。\n"
    "目前上述问题已整改完成2项，1项正在持续推进。"
)


def demo_seed():
    """Seed the demo data unless it exists. Returns True when it was written."""
    if Organization.objects.filter(name__in=[COMMITTEE_NAME, COUNTY_NAME]).exists():
        return False
    with transaction.atomic():
        DemoSeeder().seed()
    return True


class DemoSeeder:
    """Writes the demo world through the services (see the module's docstring)."""

    def user(self, username, name, **extra):
        # One hash for all demo accounts: they share the password, and hashing is slow by design.
        if not hasattr(self, "_password_hash"):
            self._password_hash = make_password(PASSWORD)
        return User.objects.create(username=username, name=name, password=self._password_hash, **extra)

    def seed(self):
        rng = random.Random(2026)
        problem_categories_ensure_default()
        self.user("admin", "系统管理员", is_superuser=True, is_staff=True)
        orgadmin = self.user("orgadmin", "刘组织")
        reviewers = [self.user(username, name) for username, name in REVIEWERS]

        countyadmin = self.user("countyadmin", "周县组")
        county = organization_create(name=COUNTY_NAME, kind=Organization.Kind.COMMITTEE)
        county.committee_members.set([self.user(username, name) for username, name in COUNTY_REVIEWERS])
        administrator_grant(organization=county, user=countyadmin)
        committee = organization_create(name=COMMITTEE_NAME, kind=Organization.Kind.COMMITTEE, parent=county, secretary=reviewers[0])
        committee.committee_members.set(reviewers)
        administrator_grant(organization=committee, user=orgadmin)
        branches = []
        for order, (name, username, person) in enumerate(BRANCHES):
            secretary = self.user(username, person, phone=f"1390000{order + 1:04d}")
            branches.append(organization_create(name=name, parent=committee, secretary=secretary, order=order))

        texts = report_texts()
        this_year = timezone.localdate().year
        tz = timezone.get_current_timezone()

        history = {"texts": texts, "problems": PROBLEMS, "comments": COMMENTS, "rng": rng}
        township, _township_branches = self.township(county, history)
        # Years before last year, closed (reviews.demo.history).
        for back, targets in sorted(STREET_TARGETS.items(), reverse=True):
            closed_year(
                committee=committee, organizations=branches, reviewers=reviewers, year=this_year - back, targets=targets,
                by=orgadmin, categories=self.categories(), **history,
            )
        # Last year: every report submitted, reviewed by all three, graded, published and closed.
        last = cycle_launch(
            organization=committee,
            year=this_year - 1,
            title=f"{this_year - 1}年度党组织书记抓基层党建工作述职评议",
            submission_deadline=datetime.datetime(this_year, 1, 15, 18, 0, tzinfo=tz),
            meeting_date=datetime.date(this_year, 1, 22),
            by=orgadmin,
        )
        settings_ = last.result_settings
        result_settings_update(
            settings=settings_,
            data={"top_grade_cap_numerator": 1, "top_grade_cap_denominator": 3},
            by=orgadmin,
        )
        categories = self.categories()
        criteria = list(last.criteria.all())
        for index, branch in enumerate(branches):
            report = Report.objects.get(cycle=last, organization=branch)
            self.write_and_submit(report, dict(texts[index % 2], rectification=RECTIFICATION_TEXT), branch.secretary, figures_seed=index)
            target = LAST_YEAR_TARGETS[index]
            for offset, reviewer in enumerate(reviewers):
                points = {c.pk: min(c.max_points, half_points(c.max_points * Decimal(target + offset - 1) / 100)) for c in criteria}
                problems = [
                    {"text": text, "category": categories[category]}
                    for text, category in rng.sample(PROBLEMS, 2)
                ]
                review_save(
                    report=report,
                    reviewer=reviewer,
                    scores=points,
                    comment=COMMENTS[(index + offset) % len(COMMENTS)],
                    suggested_grade=self.grade_for(target),
                    problems=problems,
                    submit=True,
                )
            routine_score_set(report=report, score=Decimal(target), by=orgadmin)
        seed_ballots(cycle=last, by=orgadmin, rng=rng, targets=LAST_YEAR_TARGETS)
        self.backdate(last, datetime.datetime(this_year, 1, 10, 9, 30, tzinfo=tz))
        results_compute(cycle=last, by=orgadmin)
        cycle_publish(cycle=last, by=orgadmin, reason="演示数据：上年度部分评议和得分未录入，先行公布")
        # What the 通报 and the feedback letters need from the administrator (this year reuses it in one click).
        notice_save(
            cycle=last, by=orgadmin, addressee="各党支部", rectification_deadline=datetime.date(this_year, 3, 31),
            requirements=DEMO_REQUIREMENTS,
        )
        cycle_close(cycle=last, by=orgadmin)

        # This year: collecting, reports in several states, some reviews in progress.
        current = cycle_launch(
            organization=committee,
            year=this_year,
            title=f"{this_year}年度党组织书记抓基层党建工作述职评议",
            submission_deadline=datetime.datetime(this_year + 1, 1, 15, 18, 0, tzinfo=tz),
            meeting_date=datetime.date(this_year + 1, 1, 20),
            copy_rubric_from=last,
            by=orgadmin,
        )
        criteria = list(current.criteria.all())
        for index, (branch, state) in enumerate(zip(branches, THIS_YEAR_STATES)):
            report = Report.objects.get(cycle=current, organization=branch)
            text = dict(texts[(index + 1) % 2], rectification=RECTIFICATION_TEXT)
            if state == "draft":
                draft = {field: value for field, value in text.items() if field in ("preamble", "performance")}
                report_save_draft(report=report, by=branch.secretary, data=draft, base_revision=None)
            elif state in ("submitted", "returned"):
                self.write_and_submit(report, text, branch.secretary, figures_seed=index)
            if state == "returned":
                report_return(report=report, by=orgadmin, reason="“存在问题”部分过于笼统，请结合本支部实际具体查摆，并补充原因分析。")
            if state == "submitted":
                question_ask(report=report, by=reviewers[1], text=QUESTIONS[index % 2])
        submitted = list(Report.objects.filter(cycle=current, status=Report.Status.SUBMITTED).order_by("organization__order"))
        # reviewer1 has finished one and drafted another; reviewer2 submitted one.
        for reviewer, report, submit in [(reviewers[0], submitted[0], True), (reviewers[0], submitted[1], False), (reviewers[1], submitted[0], True)]:
            review_save(
                report=report,
                reviewer=reviewer,
                scores={c.pk: half_points(c.max_points * Decimal("0.86")) for c in criteria},
                comment=COMMENTS[1],
                suggested_grade=Grade.GOOD,
                problems=[{"text": PROBLEMS[4][0], "category": categories[PROBLEMS[4][1]]}],
                submit=submit,
            )
        question = submitted[0].questions.first()
        question_answer(question=question, by=submitted[0].organization.secretary, answer=ANSWER)
        seed_rectification(last_cycle=last, current_cycle=current, orgadmin=orgadmin)
        seed_meeting(cycle=current, by=orgadmin)
        self.county_years(county, [committee, township], countyadmin, history)

    @staticmethod
    def categories():
        return {category.name: category for category in ProblemCategory.objects.all()}

    def township(self, county, history):
        """东关镇党委: its administrator, committee members and branches; three closed years and this
        year's cycle collecting (half the reports submitted)."""
        admin = self.user("orgadmin2", "罗组织")
        members = [self.user(username, name) for username, name in TOWNSHIP_REVIEWERS]
        township = organization_create(name=TOWNSHIP_NAME, kind=Organization.Kind.COMMITTEE, parent=county, secretary=members[0], order=1)
        township.committee_members.set(members)
        administrator_grant(organization=township, user=admin)
        branches = [
            organization_create(name=name, parent=township, secretary=self.user(username, person, phone=f"1390001{order + 1:04d}"), order=order)
            for order, (name, username, person) in enumerate(TOWNSHIP_BRANCHES)
        ]
        this_year = timezone.localdate().year
        for back, targets in sorted(TOWNSHIP_TARGETS.items(), reverse=True):
            last = closed_year(
                committee=township, organizations=branches, reviewers=members, year=this_year - back, targets=targets,
                by=admin, categories=self.categories(), **history,
            )
        tz = timezone.get_current_timezone()
        current = cycle_launch(
            organization=township,
            year=this_year,
            title=f"{this_year}年度党组织书记抓基层党建工作述职评议",
            submission_deadline=datetime.datetime(this_year + 1, 1, 15, 18, 0, tzinfo=tz),
            copy_rubric_from=last,
            by=admin,
        )
        for index, branch in enumerate(branches[::2]):
            report_write(Report.objects.get(cycle=current, organization=branch), history["texts"][index % 2], branch.secretary, index)
        return township, branches

    def county_years(self, county, townships, countyadmin, history):
        """The county's closed years reviewing the two townships' secretaries."""
        reviewers = list(county.committee_members.order_by("username"))
        this_year = timezone.localdate().year
        for back, targets in sorted(COUNTY_TARGETS.items(), reverse=True):
            closed_year(
                committee=county, organizations=townships, reviewers=reviewers, year=this_year - back, targets=targets,
                by=countyadmin, categories=self.categories(), **history,
            )

    def write_and_submit(self, report, text, secretary, figures_seed):
        figures = {
            "member_meetings": 4,
            "committee_meetings": 12,
            "group_meetings": 24 + figures_seed,
            "party_lectures": 4,
            "theme_days": 12,
            "member_count": 28 + 3 * figures_seed,
            "new_members": figures_seed % 3,
        }
        report_save_draft(report=report, by=secretary, data={**text, **figures}, base_revision=None)
        report_submit(report=report, by=secretary)

    @staticmethod
    def backdate(cycle, when):
        """Last year's reports were submitted before last year's deadline, not today."""
        Report.objects.filter(cycle=cycle).update(submitted_at=when, is_late=False)
        ReportVersion.objects.filter(report__cycle=cycle).update(submitted_at=when, is_late=False)

    @staticmethod
    def grade_for(total):
        if total >= 90:
            return Grade.EXCELLENT
        if total >= 80:
            return Grade.GOOD
        if total >= 60:
            return Grade.FAIR
        return Grade.POOR
