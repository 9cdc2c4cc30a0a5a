"""Factories for every model, and `build_world`, the standard scene of the tests."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import factory
from django.utils import timezone

from branches.models import Organization, User
from branches.services import organization_create
from reports.models import Cycle, Report, ReportVersion
from reviews.console.launch import cycle_launch
from reviews.models import Criterion, Problem, ProblemCategory, Question, Result, ResultSettings, Review, Score

PASSWORD = "shuping2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"第{n}党支部")
    kind = Organization.Kind.BRANCH
    parent = None
    secretary = None
    order = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return organization_create(**kwargs)


class CommitteeFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"第{n}党工委")
    kind = Organization.Kind.COMMITTEE


def launch_cycle(*, organization, year=None, by=None, deadline=None, participants=None, **kwargs):
    """Create and open a cycle through the real service."""
    year = year or timezone.localdate().year
    return cycle_launch(
        organization=organization,
        year=year,
        title=f"{year}年度党组织书记抓基层党建工作述职评议",
        submission_deadline=deadline or timezone.now() + datetime.timedelta(days=30),
        by=by,
        participants=participants,
        **kwargs,
    )


class ReportVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportVersion

    number = factory.Sequence(lambda n: n + 1)
    performance = "一、履职情况正文"
    problems = "二、存在问题正文"
    plans = "三、下一步打算正文"
    submitted_at = factory.LazyFunction(timezone.now)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    name = factory.Sequence(lambda n: f"指标{n}")
    max_points = Decimal("20")
    order = factory.Sequence(lambda n: n)


class ProblemCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemCategory
        django_get_or_create = ("name",)

    name = "组织建设"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    comment = "工作扎实，问题查摆较深刻。"


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    text = "三会一课记录不规范"
    category = factory.SubFactory(ProblemCategoryFactory)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    text = "请说明发展党员工作的具体进展。"


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result


def build_world():
    """The standard scene:

    committee (street committee) with reviewer (committee member) and admin (administrator)
      ├── branch_a, secretary_a
      └── branch_b, secretary_b
    other_committee with other_reviewer and other_admin, and branch_c (secretary_c) under it.
    superuser. An open cycle of the committee with reports report_a, report_b (not started),
    and a cycle of other_committee with report_c.
    """
    w = SimpleNamespace()
    w.superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    w.admin = UserFactory(username="orgadmin_t")
    w.reviewer = UserFactory(username="reviewer_t")
    w.secretary_a = UserFactory(username="secretary_a")
    w.secretary_b = UserFactory(username="secretary_b")
    w.other_admin = UserFactory(username="other_admin")
    w.other_reviewer = UserFactory(username="other_reviewer")
    w.secretary_c = UserFactory(username="secretary_c")

    w.committee = CommitteeFactory(name="测试街道党工委")
    w.committee.committee_members.add(w.reviewer)
    w.committee.administrators.add(w.admin)
    w.branch_a = OrganizationFactory(name="甲社区党支部", parent=w.committee, secretary=w.secretary_a)
    w.branch_b = OrganizationFactory(name="乙社区党支部", parent=w.committee, secretary=w.secretary_b)

    w.other_committee = CommitteeFactory(name="另一街道党工委")
    w.other_committee.committee_members.add(w.other_reviewer)
    w.other_committee.administrators.add(w.other_admin)
    w.branch_c = OrganizationFactory(name="丙社区党支部", parent=w.other_committee, secretary=w.secretary_c)

    w.cycle = launch_cycle(organization=w.committee, by=w.admin)
    w.report_a = Report.objects.get(cycle=w.cycle, organization=w.branch_a)
    w.report_b = Report.objects.get(cycle=w.cycle, organization=w.branch_b)
    w.other_cycle = launch_cycle(organization=w.other_committee, by=w.other_admin)
    w.report_c = Report.objects.get(cycle=w.other_cycle, organization=w.branch_c)
    return w


__all__ = [
    "INCOMPLETE_OK",
    "PASSWORD",
    "UserFactory",
    "OrganizationFactory",
    "CommitteeFactory",
    "launch_cycle",
    "ReportVersionFactory",
    "CriterionFactory",
    "ProblemCategoryFactory",
    "ReviewFactory",
    "ScoreFactory",
    "ProblemFactory",
    "QuestionFactory",
    "ResultFactory",
    "build_world",
    "Cycle",
    "ResultSettings",
]


# The reason tests give when they publish results that are deliberately incomplete (issue 13:
# publishing with something missing needs a written reason).
INCOMPLETE_OK = "测试场景：部分内容未完成，经党委研究先行公布"
