"""`python -m tfdeblur.plots`: the same as `tfdeblur plots` (`tfdeblur.tools.plots`)."""

from tfdeblur.tools import command

if __name__ == "__main__":
    command.run("plots")
