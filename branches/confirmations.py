"""The one confirmation step of every irreversible action (submit a report, open and close voting,
publish, withdraw, close the year, approve a plan, 销号).

The same everywhere: a page states what will happen (the consequences), then a required box
“我已了解上述后果” and the button. The server acts only on a POST with the box ticked
(`confirm=1`); a POST without it changes nothing and shows the page again (400) with a message —
the browser's `required` is a convenience, not the check. Pages render
templates/_confirmation.html (inside their own layout) or templates/confirmation.html (alone).
"""

from dataclasses import dataclass, field

from django.shortcuts import render

CONFIRM_FIELD = "confirm"
CONFIRM_LABEL = "我已了解上述后果"


@dataclass
class Confirmation:
    """What the confirmation include shows. `title` names the action (“提交述职报告”): the heading
    says 确认<title>, the button <button> (default 确认<title>)."""

    title: str
    consequences: list[str]
    cancel_url: str
    key: str = "action"  # ids: #confirm-<key> on the form, #confirm-<key>-button
    action_url: str = ""  # where the form posts; "" for the page itself
    button: str = ""
    danger: bool = False  # a red button for what cannot be undone at all
    blocked: str = ""  # why it cannot be done now: no form, only this message
    form: object = None  # extra inputs (a reason) rendered inside the form
    hidden: dict = field(default_factory=dict)
    error: str = ""

    @property
    def button_label(self):
        return self.button or f"确认{self.title}"

    @property
    def missing_message(self):
        return f"请勾选“{CONFIRM_LABEL}”后再{self.title}。"


def is_confirmed(request):
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "1"


def confirm_then(request, confirmation, act, *, template="confirmation.html", context=None):
    """The view's whole confirmation step. GET: the page. POST with the box ticked: `act()`, whose
    response is returned — or None to show the page again (400, e.g. with a form's errors). POST
    without the box: nothing is done, the page again (400) saying what is missing."""
    status = 200
    if request.method == "POST":
        if is_confirmed(request) and not confirmation.blocked:
            response = act()
            if response is not None:
                return response
        elif not confirmation.blocked:
            confirmation.error = confirmation.missing_message
        status = 400
    return render(request, template, {**(context or {}), "confirmation": confirmation}, status=status)
