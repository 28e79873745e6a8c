from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "vungxanh.teams"
    label = "teams"
    verbose_name = _("Self-management teams and the monitoring register")
