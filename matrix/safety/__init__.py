"""What keeps a hostile input cheap and the user's files whole: limits on what one input may
cost (``limits``), the zip check before any XML is read (``zipcheck``), writes that never lose or
half-overwrite what the user had (``writes``), and SIGTERM/SIGHUP ending a run as Ctrl-C does so a
write in progress cleans up (``signals``).
"""
