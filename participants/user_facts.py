"""What every signed-in request asks about its person, kept per user in the cache.

Beyond the user row (read fresh on every request), a page asks: which role groups the person
holds, which permissions, which confirmed second-factor devices, and the name the navigation
greets them by. Read from the database, that is four to six queries on every page. These facts
are no clinical data (no answer, score, flag or record: roles, permission names, device ids and a
name), so they are kept in the shared cache under the user's own key, and dropped whenever any of
them changes (the receivers below): a permission taken away, a device removed or a name changed
holds from the next request on.

Each person's facts carry their *stamp*, a token read before their rows are: a change to those
rows draws a new stamp (now, and again once it commits), so facts that a request computed from
the old rows and kept after the change are never read again.

A change to a role group's permissions concerns everyone in it: it draws a new *generation*,
which every user's facts carry and are checked against (read with them, in one round trip).
The facts also carry a keyed digest of the user-row fields they were computed from (active,
staff, superuser, first name, e-mail): a row changed by ``QuerySet.update()``, which sends no
signal, still refreshes them. The cache holds no e-mail address in clear.

Without Redis (``USER_FACTS_CACHE`` off: the embedded default, whose cache is the database and
would cost a query per read) nothing is kept, and each question is asked of the database.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, Value
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.crypto import salted_hmac
from django.utils.functional import LazyObject, empty
from django_otp import device_classes

from participants.models import STAFF_ROLES, ParticipantProfile, Role, User

# A safety net only: every change that matters drops the facts at once.
FACTS_TIMEOUT = 60 * 60
_KEY_SALT = "participants.user_facts"


def _space() -> str:
    # The database's name: a database restored under a new name (the runbooks' way back after a
    # lost server or a failed upgrade) never meets facts read from the one it replaces.
    return connection.settings_dict["NAME"]


def _generation_key() -> str:
    return f"user-facts:{_space()}:generation"


def _key(user_id: int) -> str:
    return f"user-facts:{_space()}:{user_id}"


def _stamp_key(user_id: int) -> str:
    return f"user-facts-stamp:{_space()}:{user_id}"


def _token_ensure(key: str) -> str:
    """The token under ``key``, drawn now when there is none (first use, or the cache emptied)."""
    token = uuid.uuid4().hex
    if not cache.add(key, token, timeout=None):
        token = cache.get(key) or token
    return token


@dataclass(frozen=True)
class UserFacts:
    """A person's roles, greeting name and, for staff, permissions and confirmed devices (None:
    not read; Django and django-otp then ask the database as they always do)."""

    generation: str
    stamp: str  # the person's own token: replaced on every change to their rows
    row: str  # the user-row fields the facts were computed from (``_row``)
    roles: frozenset[str]
    display_name: str
    permissions: frozenset[str] | None = None
    device_ids: frozenset[str] | None = None  # persistent ids ("otp_totp.totpdevice/7")


def _row(user: User) -> str:
    """A keyed digest of the user-row fields the facts depend on: the shared cache holds no
    e-mail address in clear."""
    fields = (user.is_active, user.is_staff, user.is_superuser, user.first_name, user.email)
    return salted_hmac(_KEY_SALT, repr(fields)).hexdigest()


def _compute(user: User, generation: str, stamp: str) -> UserFacts:
    roles = frozenset(
        user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        if user.is_active
        else ()
    )
    preferred = (
        ParticipantProfile.objects.filter(user=user)
        .values_list("preferred_name", flat=True)
        .first()
    )
    facts = UserFacts(
        generation=generation,
        stamp=stamp,
        row=_row(user),
        roles=roles,
        display_name=preferred or user.first_name,  # else the e-mail, read from the row
    )
    # Only staff pages ask for permissions, and only staff sign in with a second factor.
    if roles & STAFF_ROLES or user.is_staff or user.is_superuser:
        facts = replace(facts, permissions=_permissions(user), device_ids=_device_ids(user))
    return facts


def _permissions(user: User) -> frozenset[str]:
    """What Django's ``ModelBackend`` answers (its own and its groups'), in one query."""
    if not user.is_active:
        return frozenset()
    permissions = Permission.objects.all()
    if not user.is_superuser:
        permissions = permissions.filter(Q(user=user) | Q(group__user=user))
    return frozenset(
        f"{app_label}.{codename}"
        for app_label, codename in permissions.values_list(
            "content_type__app_label", "codename"
        ).distinct()
    )


def _device_ids(user: User) -> frozenset[str]:
    """The persistent ids of the user's confirmed devices of every kind, in one query."""
    kinds = [
        model.objects.filter(user=user, confirmed=True)
        .annotate(kind=Value(model.model_label()))
        .values_list("kind", "pk")
        for model in device_classes()
    ]
    return frozenset(f"{kind}/{pk}" for kind, pk in kinds[0].union(*kinds[1:], all=True))


def _instance(user) -> User:
    """The user itself, also behind the request's lazy ``request.user``."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return _instance(user._wrapped)
    return user


def user_facts(user: User) -> UserFacts | None:
    """The signed-in ``user``'s facts: from the cache (one round trip), else computed and kept.
    Remembered on the instance for the rest of the request.

    None when ``USER_FACTS_CACHE`` is off (the embedded default, whose cache is the database):
    each question is then asked of the database as Django, django-otp and the models ask it."""
    if not settings.USER_FACTS_CACHE or not user.is_authenticated:
        return None
    user = _instance(user)
    facts = user.__dict__.get("_user_facts")
    if facts is not None:
        return facts
    generation_key = _generation_key()
    found = cache.get_many([generation_key, _stamp_key(user.pk), _key(user.pk)])
    generation = found.get(generation_key) or _token_ensure(generation_key)
    stamp = found.get(_stamp_key(user.pk)) or _token_ensure(_stamp_key(user.pk))
    facts = found.get(_key(user.pk))
    if (
        facts is None
        or facts.generation != generation
        or facts.stamp != stamp
        or facts.row != _row(user)
    ):
        # The tokens were read before the rows: facts computed from rows that a change is
        # committing meanwhile are kept under the old tokens, which the change replaces.
        facts = _compute(user, generation, stamp)
        cache.set(_key(user.pk), facts, timeout=FACTS_TIMEOUT)
    user.__dict__["_user_facts"] = facts
    return facts


def display_name_of(user: User) -> str:
    """``user.display_name``, from the facts when they are kept (nothing for a visitor)."""
    if not user.is_authenticated:
        return ""
    facts = user_facts(user)
    if facts is None:
        return user.display_name
    return facts.display_name or user.email


def user_facts_prime(user: User) -> UserFacts | None:
    """Answer the request's role and permission questions from the facts: ``user.roles`` and
    the permission cache Django's ``ModelBackend`` keeps on the instance."""
    user = _instance(user)
    facts = user_facts(user)
    if facts is None:
        return None
    user.__dict__["roles"] = facts.roles
    if facts.permissions is not None and user.is_active:
        user._perm_cache = set(facts.permissions)
    return facts


# --- Invalidation -------------------------------------------------------------------------------


def _tolerant(change: Callable[[], None]) -> Callable[[], None]:
    """``change`` to the cache, but with the database cache (the embedded default) not yet
    created (``migrate`` gives roles their permissions before ``createcachetable``), nothing is
    cached, so nothing is to drop. Redis errors are not caught."""

    def run() -> None:
        try:
            change()
        except DatabaseError:
            if not isinstance(caches["default"], DatabaseCache):
                raise

    return run


def _now_and_after_commit(change: Callable[[], None]) -> None:
    # Also after the commit: a request that read the old rows meanwhile may have kept them.
    change = _tolerant(change)
    change()
    transaction.on_commit(change)


def _forget(*user_ids: int) -> None:
    """A new stamp for each person (now, and again after the commit), so that facts computed
    from their old rows, even ones kept after this, are never read again; their facts go too."""
    ids = [pk for pk in user_ids if pk is not None]
    if ids:
        _now_and_after_commit(
            lambda: (
                cache.set_many({_stamp_key(pk): uuid.uuid4().hex for pk in ids}, timeout=None),
                cache.delete_many([_key(pk) for pk in ids]),
            )
        )


def _new_generation() -> None:
    _now_and_after_commit(lambda: cache.set(_generation_key(), uuid.uuid4().hex, timeout=None))


def _user_changed(sender, instance, **kwargs) -> None:
    _forget(instance.pk)


def _owner_changed(sender, instance, **kwargs) -> None:
    _forget(getattr(instance, "user_id", None))


def _user_membership_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A user's groups or own permissions changed (from either side of the relation)."""
    if not action.startswith("post_"):
        return
    if not reverse:
        _forget(instance.pk)
    elif pk_set is None:  # a group or a permission cleared of its members: who, unknown
        _new_generation()
    else:
        _forget(*pk_set)


def _group_changed(sender, instance=None, action="post_", **kwargs) -> None:
    if action.startswith("post_"):
        _new_generation()


def user_facts_receivers_connect() -> None:
    """Drop the facts on every change they depend on (called once, from the app's ``ready``)."""
    uid = "participants.user_facts"
    post_save.connect(_user_changed, sender=User, dispatch_uid=f"{uid}.user.save")
    post_delete.connect(_user_changed, sender=User, dispatch_uid=f"{uid}.user.delete")
    for model in (ParticipantProfile, *device_classes()):
        post_save.connect(_owner_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}.s")
        post_delete.connect(_owner_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}.d")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(
            _user_membership_changed, sender=through, dispatch_uid=f"{uid}.{through.__name__}"
        )
    m2m_changed.connect(
        _group_changed, sender=Group.permissions.through, dispatch_uid=f"{uid}.group.perms"
    )
    for model in (Group, Permission):
        post_save.connect(_group_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}.s")
        post_delete.connect(_group_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}.d")
