"""`python -m tfdeblur`: the same as the `tfdeblur` command."""

from tfdeblur.tools import main

if __name__ == "__main__":
    main()
