"""`python -m tfdeblur.deblur`: the same as `tfdeblur deblur` (`tfdeblur.tools.deblur`)."""

from tfdeblur.tools import command

if __name__ == "__main__":
    command.run("deblur")
