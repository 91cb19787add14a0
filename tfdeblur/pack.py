"""`python -m tfdeblur.pack`: the same as `tfdeblur pack` (`tfdeblur.tools.pack`)."""

from tfdeblur.tools import command

if __name__ == "__main__":
    command.run("pack")
