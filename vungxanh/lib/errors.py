class Refused(Exception):
    """A change refused, with the field it concerns and a message for the user."""

    def __init__(self, field: str, message: str, *, conflict: bool = False):
        self.field = field
        self.message = message
        # True when the input is fine but the stored state forbids it (already registered,
        # already awarded): the API answers 409 rather than 400.
        self.conflict = conflict
        super().__init__(f"{field}: {message}")
