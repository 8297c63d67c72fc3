"""`python -m mailbot`: the same command line as `mailbot`."""

from mailbot.cli import main

if __name__ == "__main__":
    main(prog_name="mailbot")
