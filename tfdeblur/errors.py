"""The error type for bad input from users."""


class InputError(ValueError):
    """Bad input from the user: a file, flag or tensor, named in the message.

    Command-line tools print it as one line and exit with status 2; anything
    else is a bug and keeps its traceback.
    """
