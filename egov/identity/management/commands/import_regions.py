"""`egov import_regions <file.csv>`: load administrative divisions (GB/T 2260).

The file has the columns code,name,level,parent_code (level: province, city,
county, township, village, or the Chinese 省级/市级/县级/乡镇级/村级). Parents
may be earlier or later rows or regions already in the database. Running the
same file again changes nothing; any bad row stops the whole import.
"""

import csv

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from egov.identity.actions._common import ImportRejected
from egov.identity.actions.regions import import_regions

COLUMNS = ("code", "name", "level", "parent_code")


class Command(BaseCommand):
    help = "Import regions (行政区划) from a CSV file: code,name,level,parent_code"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8 (a BOM is accepted)")
        parser.add_argument("--encoding", default="utf-8-sig")

    def handle(self, *args, file, encoding, **options):
        try:
            with open(file, newline="", encoding=encoding) as handle:
                reader = csv.DictReader(handle)
                header = [name.strip() for name in reader.fieldnames or []]
                missing = [c for c in COLUMNS if c not in header]
                if missing:
                    raise CommandError(
                        _("文件缺少列：%(cols)s（应为 code,name,level,parent_code）")
                        % {"cols": ", ".join(missing)}
                    )
                rows = [
                    {
                        "row": number,
                        **{key.strip(): value for key, value in row.items() if key},
                    }
                    for number, row in enumerate(reader, start=2)
                    if any((value or "").strip() for value in row.values())
                ]
        except FileNotFoundError:
            raise CommandError(_("找不到文件：%(f)s") % {"f": file}) from None
        except UnicodeDecodeError:
            raise CommandError(
                _("文件编码无法识别，请保存为 UTF-8 或使用 --encoding 指定")
            ) from None
        try:
            counts = import_regions(actor=None, rows=rows)
        except ImportRejected as exc:
            for number, message in exc.errors:
                self.stderr.write(
                    _("第%(row)d行：%(msg)s") % {"row": number, "msg": message}
                )
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("导入完成：新增%(created)d个，更新%(updated)d个，未变%(unchanged)d个")
                % counts
            )
        )
