"""Authentication that checks passwords only: every permission comes from `inspections.rules`."""

from django.contrib.auth.backends import ModelBackend


class PasswordOnlyBackend(ModelBackend):
    """Django's password check, without Django's per-model permissions.

    A model permission granted in the admin ("Can change inspection") would otherwise let
    someone act as the office; here the rules module is the only judge (docs/design.md).
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
