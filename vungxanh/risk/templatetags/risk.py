from django import template

from vungxanh.risk.explain import colour_name
from vungxanh.risk.explain import threshold_rows as _threshold_rows
from vungxanh.risk.rules import RulesetParams

register = template.Library()


@register.filter
def colour(level: int) -> str:
    return colour_name(int(level))


@register.filter
def threshold_rows(params: RulesetParams) -> list[tuple[str, str, str]]:
    return _threshold_rows(params)
