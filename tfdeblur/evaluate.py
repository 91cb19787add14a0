"""`python -m tfdeblur.evaluate`: the same as `tfdeblur evaluate` (`tfdeblur.tools.evaluate`)."""

from tfdeblur.tools import command

if __name__ == "__main__":
    command.run("evaluate")
