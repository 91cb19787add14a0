"""`python -m experiments.reproduce`: the same as `tfdeblur reproduce` (`tfdeblur.tools.reproduce`)."""

from tfdeblur.tools import command

if __name__ == "__main__":
    command.run("reproduce")
