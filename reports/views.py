from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    # Replaced by the secretary's home page (issue 2).
    return render(request, "reports/home.html", {})
