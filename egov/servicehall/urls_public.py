"""网上办事大厅 on the public face, mounted at hall/."""

from django.urls import path

from egov.servicehall.views import apply, messages
from egov.servicehall.views import cases as case_views
from egov.servicehall.views import catalog_public as views

app_name = "hall"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/", views.item_list, name="item_list"),
    path("items/<slug:code>/", views.guide, name="guide"),
    path(
        "items/<slug:code>/materials/<int:pk>/<slug:which>/",
        views.material_file,
        name="material_file",
    ),
    path(
        "my/<str:number>/instruments/<int:pk>/",
        case_views.applicant_instrument,
        name="instrument",
    ),
]

# Applying online, 我的办件 and the public progress lookup (views/apply.py).
urlpatterns += [
    path("items/<slug:code>/apply/", apply.start, name="apply"),
    path("lookup/", apply.lookup, name="lookup"),
    path("my/", apply.my_cases, name="my_cases"),
    path("my/drafts/<uuid:token>/", apply.draft, name="draft"),
    path("my/drafts/<uuid:token>/discard/", apply.discard, name="discard"),
    path("my/<str:ref>/form/", apply.form_json, name="form_json"),
    path("my/<str:ref>/upload/", apply.upload, name="upload"),
    path("my/<str:ref>/reuse/", apply.reuse, name="reuse"),
    path("my/<str:ref>/materials/<int:pk>/", apply.material, name="material"),
    path("my/<str:ref>/materials/<int:pk>/remove/", apply.remove, name="remove"),
    path("my/<str:number>/", apply.my_case, name="my_case"),
    path("my/<str:number>/correction/", apply.correction, name="correction"),
    path("my/<str:number>/withdraw/", apply.withdraw, name="withdraw"),
    path("my/<str:number>/receipt/", apply.receipt, name="receipt"),
]

# 我的消息: the applicant's messages about their cases (views/messages.py).
urlpatterns += [
    path("messages/", messages.message_list, name="messages"),
    path("messages/<int:pk>/open/", messages.message_open, name="message_open"),
    path("messages/read-all/", messages.message_read_all, name="message_read_all"),
]
