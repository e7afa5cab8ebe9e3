"""Moving a model to another app without touching its table: its content type moves with it.

Used by the migrations that moved models between apps (``outbox.0001``, ``followup.0001``). The
content type row is renamed in place, so its id stays and everything that points at it (a
message's subject, permissions and their grants, admin's history) still points at the model.
"""

from django.db.models import Exists, OuterRef


def _notification_model(apps):
    """The message table's model in this migration's state (it has lived in two apps)."""
    for app_label in ("outbox", "sessions_app"):
        try:
            return apps.get_model(app_label, "Notification")
        except LookupError:
            continue
    return None


def _merge_into(apps, *, old, taken) -> None:
    """``taken`` (the new label) was made by code that ran before ``migrate`` did; what points
    at it moves to ``old``, which is about to take the new label, so nothing is lost."""
    notification = _notification_model(apps)
    if notification is not None:
        # At most one pending message per recipient, kind, channel and subject: a pending twin
        # already planned under the old row wins, the later one is cancelled.
        twin = notification.objects.filter(
            subject_type=old,
            status="pending",
            recipient_id=OuterRef("recipient_id"),
            kind=OuterRef("kind"),
            channel=OuterRef("channel"),
            subject_id=OuterRef("subject_id"),
        )
        notification.objects.filter(subject_type=taken, status="pending").filter(
            Exists(twin)
        ).update(status="cancelled", last_error="planned twice during an upgrade")
        notification.objects.filter(subject_type=taken).update(subject_type=old)
    permission_model = apps.get_model("auth", "Permission")
    for permission in permission_model.objects.filter(content_type=taken):
        twin = permission_model.objects.filter(
            content_type=old, codename=permission.codename
        ).first()
        if twin is None:
            permission.content_type = old
            permission.save(update_fields=["content_type"])
            continue
        twin.group_set.add(*permission.group_set.all())
        twin.user_set.add(*permission.user_set.all())
        permission.delete()
    try:
        log_entry = apps.get_model("admin", "LogEntry")
    except LookupError:
        pass
    else:
        log_entry.objects.filter(content_type=taken).update(content_type=old)
    taken.delete()


def move_content_types(apps, schema_editor, moves) -> None:
    """``moves``: ``[((old_app_label, model_name), new_app_label), ...]``.

    A fresh database has no row yet (``post_migrate`` makes the new one); an old database has the
    old row, renamed here; one where the new code already ran before ``migrate`` may have both,
    merged into the old row's id first.
    """
    content_type = apps.get_model("contenttypes", "ContentType")
    for (old_app, model), new_app in moves:
        old = content_type.objects.filter(app_label=old_app, model=model).first()
        if old is None:
            continue
        taken = content_type.objects.filter(app_label=new_app, model=model).first()
        if taken is not None:
            _merge_into(apps, old=old, taken=taken)
        old.app_label = new_app
        old.save(update_fields=["app_label"])
