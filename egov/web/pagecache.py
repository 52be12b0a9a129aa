"""Whole pages kept rendered, in each server process, for visitors who are not
signed in.

A page that many anonymous visitors ask for again and again (the public
progress lookup: people refresh it while they wait) costs more to render
through the layout than everything else its request does. Such a page differs
between two anonymous visitors only by the CSRF token in its forms, so it is
rendered once per `key` (which must name everything else the page shows:
the caller's data version, the time left as displayed, the inputs echoed),
language and path, with a stand-in for the token, and each request gets a
copy with its own token put in.

Signed-in visitors (their name, messages and unread count are in the page
header) and requests with a one-time message waiting are always rendered.
Pages are kept in process memory, at most `MAX_PAGES` of them and for
`MAX_AGE` seconds; nothing needs dropping from outside because every input of
the page is in its key.
"""

import threading
import time
from collections import OrderedDict

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import get_language

MAX_PAGES = 512
MAX_AGE = 60
# Stands for the visitor's CSRF token while a kept page is rendered; made of
# the token's own alphabet, so no escaping changes it.
TOKEN_SLOT = "egovPageCacheTokenSlot" + "0" * 42

_pages: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _kept(key):
    with _lock:
        found = _pages.get(key)
        if found is None:
            return None
        made, status, content_type, text = found
        if time.monotonic() - made > MAX_AGE:
            del _pages[key]
            return None
        _pages.move_to_end(key)
        return status, content_type, text


def _keep(key, status, content_type, text) -> None:
    with _lock:
        _pages[key] = (time.monotonic(), status, content_type, text)
        _pages.move_to_end(key)
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)


def forget_all() -> None:
    """Drop every kept page (tests, and after a deploy-time change)."""
    with _lock:
        _pages.clear()


def _may_keep(request) -> bool:
    if request.user.is_authenticated:
        return False
    # A waiting message is shown once, and only to this visitor.
    return len(get_messages(request)) == 0


def render_kept(request, template: str, context: dict, *, key: tuple, status=200):
    """`render(request, template, context, status=status)`, from a kept copy
    when the visitor is anonymous and the page was rendered for `key`."""
    if not _may_keep(request):
        return render(request, template, context, status=status)
    full_key = (template, get_language(), request.get_full_path(), status, key)
    found = _kept(full_key)
    if found is None:
        response = render(
            request, template, {**context, "csrf_token": TOKEN_SLOT}, status=status
        )
        text = response.content.decode(response.charset)
        found = (status, response["Content-Type"], text)
        _keep(full_key, *found)
    status, content_type, text = found
    # get_token also makes the CSRF middleware send the visitor's cookie.
    return HttpResponse(
        text.replace(TOKEN_SLOT, get_token(request)),
        status=status,
        content_type=content_type,
    )
