"""Notification's tables (the notices and their recipients) take the notifications app's
name, and its content type moves with it, so that the audit entries about notices (which
point at the content type) still find their model: notifications.Notification."""

from django.db import migrations


def content_type_mover(model: str, old: str, new: str):
    """Move the content type of `model` from app label `old` to `new`, with its audit
    entries and permissions. If `new` has one already (a migrate run between the model's
    move and this step made it), its entries join the old one, which takes its place."""

    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        log_entry = apps.get_model("auditlog", "LogEntry")
        db = schema_editor.connection.alias
        moving = content_type.objects.using(db).filter(app_label=old, model=model).first()
        if moving is None:  # a new database: the type is made when it is first needed
            return
        made = content_type.objects.using(db).filter(app_label=new, model=model).first()
        if made is not None:
            log_entry.objects.using(db).filter(content_type=made).update(content_type=moving)
            made.delete()
        moving.app_label = new
        moving.save(update_fields=["app_label"])

    return move


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
        ("approvals", "0007_notification_moved_to_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.AlterModelTable(name="notification", table=None),
        migrations.RunPython(content_type_mover("notification", "approvals", "notifications"),
                             content_type_mover("notification", "notifications", "approvals")),
    ]
