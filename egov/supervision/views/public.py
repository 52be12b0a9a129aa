"""好差评 on the public face: rating one's concluded case, rating a window
visit from the code on the counter, and one's own ratings with the replies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import ActionError
from egov.supervision import rating_actions as actions
from egov.supervision import rating_queries as queries
from egov.supervision import window_queries
from egov.supervision.rating_forms import RatingForm, apply_errors, rating_choices

T = "supervision/public/"


def _form_context(form) -> dict:
    return {"form": form, **rating_choices(form)}


def _submit(request, form, rate) -> bool:
    """Run `rate(level, comment, tags)` for a valid form; put a refusal on it."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        rate(data["level"], data["comment"], data["tags"])
    except ActionError as exc:
        apply_errors(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def rate_case(request, number):
    case = queries.get_case_to_rate(request.user, number)
    rating = queries.rating_for_case(case)
    form = RatingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":

        def rate(level, comment, tags):
            actions.rate_case(
                actor=request.user, case=case, level=level, comment=comment, tags=tags
            )

        if _submit(request, form, rate):
            messages.success(request, _("感谢您的评价！"))
            return redirect("ratings:rate_case", number=case.number)
        status = 400
    return render(
        request,
        T + "rate_case.html",
        {
            "case": case,
            "item_name": case.item_version.name,
            "rating": rating,
            "reply": queries.rectification_reply_for_case(case) if rating else None,
            **_form_context(form),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def rate_window(request, code):
    window = window_queries.get_window_by_code(code)
    if not window.is_active:
        # The code may still hang on a closed counter: say so before asking
        # anyone to sign in, as a 404.
        return render(request, T + "window_closed.html", {"window": window}, status=404)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = RatingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":

        def rate(level, comment, tags):
            actions.rate_window(
                actor=request.user,
                window=window,
                level=level,
                comment=comment,
                tags=tags,
            )

        if _submit(request, form, rate):
            messages.success(request, _("感谢您对窗口服务的评价！"))
            return redirect("ratings:mine")
        status = 400
    return render(
        request,
        T + "rate_window.html",
        {"window": window, **_form_context(form)},
        status=status,
    )


@login_required
def mine(request):
    return render(
        request, T + "mine.html", {"ratings": queries.my_ratings(request.user)}
    )
