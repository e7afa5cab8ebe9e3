"""Django's ``ModelBackend``, reading the signed-in person with a query compiled once.

Every signed-in request reads its user by primary key (``get_user``); building and compiling that
``get()`` cost more than the database spends answering it. Signing in, permissions and who may
authenticate are Django's ``ModelBackend``'s, unchanged.

Django's own ``ModelBackend`` stays listed after this one (``settings.AUTHENTICATION_BACKENDS``)
so that a session signed in before, which names it, stays signed in. A wrong password is refused
here for good (``PermissionDenied``), so it is never checked a second time by that backend.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField

from journease.prepared import Param, prepared_instances
from participants.models import User


def _by_pk():
    return User._default_manager.filter(pk=Param("user", BigIntegerField())).order_by()


class UserBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None and (username or kwargs):
            # Django's ModelBackend, next in the list, would only check the password again.
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            found = prepared_instances(("auth_user_by_pk",), _by_pk, {"user": user_id})
        except (TypeError, ValueError):  # not a primary key (as get() raises for it)
            return None
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
