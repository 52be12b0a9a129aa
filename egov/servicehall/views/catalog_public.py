"""网上办事大厅: the public catalog, browsable by audience (个人办事 / 法人办事),
by theme and life event and by department, searchable, and each item's
printable 办事指南. Only published versions are ever shown."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from egov.core.files import file_response
from egov.servicehall import catalog_queries as queries
from egov.servicehall.models import Audience

T = "servicehall/catalog_public/"
PAGE_SIZE = 20


def _audience(request) -> str:
    value = request.GET.get("for", "")
    return value if value in Audience.values else Audience.INDIVIDUAL


def _tabs(audience: str) -> list[dict]:
    return [
        {"code": code, "label": label, "active": code == audience}
        for code, label in (
            (Audience.INDIVIDUAL, Audience.INDIVIDUAL.label),
            (Audience.ENTITY, Audience.ENTITY.label),
        )
    ]


@require_GET
def index(request):
    audience = _audience(request)
    themes = queries.public_themes(audience)
    return render(
        request,
        T + "index.html",
        {
            "audience": audience,
            "tabs": _tabs(audience),
            "themes": themes["theme"],
            "life_events": themes["life_event"],
            "departments": queries.public_departments(audience),
            "recent": queries.public_items(audience=audience)[:8],
        },
    )


@require_GET
def item_list(request):
    audience = _audience(request)
    search = queries.clean_search(request.GET.get("q", ""))
    theme_code = request.GET.get("theme", "")
    dept_code = request.GET.get("dept", "")
    theme = queries.get_public_theme(theme_code) if theme_code else None
    department = queries.get_public_department(dept_code) if dept_code else None
    rows = queries.public_items(
        audience=audience, theme=theme, organization=department, search=search
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        T + "item_list.html",
        {
            "audience": audience,
            "tabs": _tabs(audience),
            "search": search,
            "theme": theme,
            "department": department,
            "page": page,
            "query": query.urlencode(),
        },
    )


@require_GET
def guide(request, code):
    version = queries.get_published_version(code)
    return render(
        request,
        T + "guide.html",
        {"version": version, "item": version.item},
    )


@require_GET
def material_file(request, code, pk, which):
    return file_response(request, queries.public_material_file(code, pk, which))
