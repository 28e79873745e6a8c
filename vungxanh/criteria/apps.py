from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "vungxanh.criteria"
    label = "criteria"
    verbose_name = _("Safety criteria and announcements")

    def ready(self) -> None:
        from vungxanh.risk.signals import cases_recorded

        cases_recorded.connect(_flag_announcements, dispatch_uid="criteria.flag_announcements")


def _flag_announcements(sender: Any, records: list[Any], **kwargs: Any) -> None:
    from .actions import flag_for_cases

    flag_for_cases(records)
