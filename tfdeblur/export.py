"""`python -m tfdeblur.export`: the same as `tfdeblur export` (`tfdeblur.tools.export`)."""

from tfdeblur.tools import command

if __name__ == "__main__":
    command.run("export")
