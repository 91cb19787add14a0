"""The errors a command-line tool reports in one line, without a traceback."""


class InputError(ValueError):
    """Bad input from the user: a file, flag or tensor, named in the message.

    Command-line tools print it as one line and exit with status 2; anything
    else is a bug and keeps its traceback.
    """


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the message names the step, the loss and the last good checkpoint.

    Command-line tools print it as one line and exit with status 3.
    """
