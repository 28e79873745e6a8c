class Refused(Exception):
    """A change refused, with the field it concerns and a message for the user."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
