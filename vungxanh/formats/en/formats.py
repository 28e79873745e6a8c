from vungxanh.formats.vi.formats import *  # noqa: F403  (dates dd/mm/yyyy in every language)

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
