"""Every verb a card can send. These strings live on in messages already posted in Teams: never rename one."""

HELP = "help.show"
WHOAMI = "whoami.show"
NEXT_MEETING = "meeting.next"

ALL = frozenset({HELP, WHOAMI, NEXT_MEETING})
