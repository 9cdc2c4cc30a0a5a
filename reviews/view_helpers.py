"""What the views of every room share: a service's errors onto a form or into a message, the
safe way back, the administered cycle by id."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from reviews.selectors import cycles_administered_by


def add_errors(form, error):
    """Put a service's ValidationError on the form: keyed messages on their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def call_with_form(request, form, call, success, target):
    """If the form is valid, call the service with its cleaned data; on success tell the user and
    redirect to `target`, else return None with the service's errors on the form (the input stays)."""
    if not form.is_valid():
        return None
    try:
        outcome = call(form.cleaned_data)
    except ValidationError as error:
        add_errors(form, error)
        return None
    messages.success(request, success(outcome) if callable(success) else success)
    return redirect(target)


def call_and_tell(request, call, success):
    """Call a service that takes no input from a form; its errors become a message."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


def redirect_back(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        # Not redirect(): it would take a bare word ("abc") for a URL name and fail with a 500.
        return HttpResponseRedirect(target)
    return redirect(fallback)


def administered_cycle_or_404(request, cycle_pk):
    return get_object_or_404(cycles_administered_by(request.user), pk=cycle_pk)
