"""Forms of the 工作日历 pages: one day, and a whole year's notice."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.core.calendar import HolidayRange, MakeupDay
from egov.core.models import CalendarDay

# The festivals of a State Council notice, in calendar order.
FESTIVALS = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
SPARE_HOLIDAY_ROWS = 2
MAKEUP_ROWS = 8

_DATE = {"type": "date", "class": "form-control"}


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("请填写日期"),
            "invalid": gettext_lazy("日期格式应为 YYYY-MM-DD"),
        },
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("安排"),
        choices=CalendarDay.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": gettext_lazy("请选择休息日或调休上班日"),
            "invalid_choice": gettext_lazy("请选择休息日或调休上班日"),
        },
    )
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=gettext_lazy("如：春节、国庆节调休"),
    )
    note = forms.CharField(
        label=gettext_lazy("备注"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


def _date_field(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={**_DATE, "aria-label": label}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD")},
    )


def _text_field(label: str, max_length: int = 50) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": "form-control", "aria-label": label}),
    )


class YearNoticeForm(forms.Form):
    """A notice as the State Council writes it: one line per holiday (name,
    first and last day off) and the make-up working days."""

    def __init__(self, *args, year: int, holidays=(), makeup_days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["document"] = _text_field(_("通知文号"), 100)
        self.fields["document"].help_text = _("如：国办发明电〔2026〕7号")
        lines = list(holidays)
        names = [line.name for line in lines]
        for festival in FESTIVALS:
            if festival not in names:
                lines.append(HolidayRange(festival, None, None))
        lines.sort(key=lambda line: _festival_order(line))
        self.holiday_rows = []
        for index in range(len(lines) + SPARE_HOLIDAY_ROWS):
            line = lines[index] if index < len(lines) else None
            prefix = f"holiday_{index}"
            label = line.name if line else _("其他节日%(n)d") % {"n": index + 1}
            self.fields[f"{prefix}_name"] = _text_field(
                _("%(label)s 名称") % {"label": label}
            )
            self.fields[f"{prefix}_start"] = _date_field(
                _("%(label)s 放假开始") % {"label": label}
            )
            self.fields[f"{prefix}_end"] = _date_field(
                _("%(label)s 放假结束") % {"label": label}
            )
            if line:
                self.initial.setdefault(f"{prefix}_name", line.name)
                self.initial.setdefault(f"{prefix}_start", line.start)
                self.initial.setdefault(f"{prefix}_end", line.end)
            self.holiday_rows.append(prefix)
        makeups = list(makeup_days)
        self.makeup_rows = []
        for index in range(max(MAKEUP_ROWS, len(makeups) + 2)):
            prefix = f"makeup_{index}"
            self.fields[f"{prefix}_date"] = _date_field(
                _("调休上班日%(n)d 日期") % {"n": index + 1}
            )
            self.fields[f"{prefix}_name"] = _text_field(
                _("调休上班日%(n)d 所属节日") % {"n": index + 1}
            )
            self.fields[f"{prefix}_name"].widget.attrs["placeholder"] = _("所属节日")
            if index < len(makeups):
                self.initial.setdefault(f"{prefix}_date", makeups[index].date)
                self.initial.setdefault(f"{prefix}_name", makeups[index].name)
            self.makeup_rows.append(prefix)

    def rows(self):
        """(name, start, end) bound fields of each holiday line, for the template."""
        return [
            (self[f"{p}_name"], self[f"{p}_start"], self[f"{p}_end"])
            for p in self.holiday_rows
        ]

    def makeups(self):
        return [(self[f"{p}_date"], self[f"{p}_name"]) for p in self.makeup_rows]

    def clean(self):
        data = super().clean()
        holidays, makeups = [], []
        for prefix in self.holiday_rows:
            name = (data.get(f"{prefix}_name") or "").strip()
            start, end = data.get(f"{prefix}_start"), data.get(f"{prefix}_end")
            if f"{prefix}_start" in self.errors or f"{prefix}_end" in self.errors:
                continue
            if not start and not end:
                continue
            if not name:
                self.add_error(f"{prefix}_name", _("请填写节日名称"))
                continue
            if not start or not end:
                missing = f"{prefix}_end" if start else f"{prefix}_start"
                self.add_error(missing, _("请同时填写放假开始和结束日期"))
                continue
            if end < start:
                self.add_error(f"{prefix}_end", _("结束日期不能早于开始日期"))
                continue
            holidays.append(HolidayRange(name, start, end))
        for prefix in self.makeup_rows:
            day = data.get(f"{prefix}_date")
            if day:
                makeups.append(
                    MakeupDay((data.get(f"{prefix}_name") or "").strip(), day)
                )
        if not self.errors and not holidays:
            raise forms.ValidationError(_("请至少填写一个节假日"))
        data["holidays"], data["makeup_days"] = holidays, makeups
        return data


def _festival_order(line) -> tuple:
    """Dated lines by date, then the festivals still to fill in, in order."""
    if line.start is not None:
        return (0, line.start.toordinal())
    known = line.name in FESTIVALS
    return (1, FESTIVALS.index(line.name) if known else len(FESTIVALS))
