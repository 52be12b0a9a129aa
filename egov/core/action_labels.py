"""Chinese names of the platform kernel's audit action codes."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "core.store_upload": _("上传文件"),
    "core.load_demo": _("加载演示数据"),
    "core.add_calendar_day": _("添加工作日历日期"),
    "core.remove_calendar_day": _("删除工作日历日期"),
    "core.enter_year_notice": _("录入年度放假安排"),
    "core.withdraw_year_notice": _("撤回年度放假安排"),
    "core.start_clock_stop": _("暂停计时"),
    "core.end_clock_stop": _("恢复计时"),
    "core.grant_extension": _("批准延期"),
    "core.sweep_timelimits": _("时限预警扫描"),
}
