"""`python -m tfdeblur.models`: the same as `tfdeblur models` (`tfdeblur.tools.models`)."""

if __name__ == "__main__":  # the tool is imported only when run: the library never imports a tool
    from tfdeblur.tools import command

    command.run("models")
