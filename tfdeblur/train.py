"""`python -m tfdeblur.train`: the same as `tfdeblur train` (`tfdeblur.tools.train`)."""

from tfdeblur.tools import command

if __name__ == "__main__":
    command.run("train")
