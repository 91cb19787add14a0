"""`python -m tfdeblur.client`: the same as `tfdeblur client` (`tfdeblur.tools.client`)."""

from tfdeblur.tools import command

if __name__ == "__main__":
    command.run("client")
