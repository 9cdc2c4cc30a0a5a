"""Forms of the review meeting: they parse; the rules live in reviews.meeting.services."""

from django import forms

from reviews.models import Meeting


class MeetingForm(forms.Form):
    title = forms.CharField(label="会议名称", max_length=120)
    date = forms.DateField(label="会议日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    place = forms.CharField(label="会议地点", max_length=120, required=False)


class QuestionForm(forms.Form):
    asker = forms.CharField(label="提问人", max_length=30)
    text = forms.CharField(label="问题", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label="答复要点", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


SCREEN_CHOICES = Meeting.Screen.choices
