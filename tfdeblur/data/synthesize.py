"""`python -m tfdeblur.data.synthesize`: the same as `tfdeblur synthesize` (`tfdeblur.tools.synthesize`)."""

if __name__ == "__main__":  # the tool is imported only when run: the library never imports a tool
    from tfdeblur.tools import command

    command.run("synthesize")
