"""The base of every error Onport's services raise on purpose: `message` is written for the person who
reads it (a finance person or an admin), so views can show it as it is."""


class ApplicationError(Exception):
    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message
