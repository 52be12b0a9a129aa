from django.db import migrations

GENESIS = "0" * 64


def insert_genesis_head(apps, schema_editor):
    # The head exists before the first append, so appenders only ever lock it
    # and never race to create it. A database that already has entries (from
    # before this migration) continues from its newest entry.
    ChainHead = apps.get_model("audit", "ChainHead")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    db = schema_editor.connection.alias
    if ChainHead.objects.using(db).filter(pk=1).exists():
        return
    newest = AuditEntry.objects.using(db).order_by("-seq").first()
    ChainHead.objects.using(db).create(
        pk=1,
        seq=newest.seq if newest else 0,
        hash=newest.hash if newest else GENESIS,
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_anchor_and_read_only_permissions")]

    operations = [
        migrations.RunPython(insert_genesis_head, migrations.RunPython.noop),
    ]
