"""``python -m jimeng_tui.sandbox``: the emulator standalone (options of ``jimeng-tui sandbox``)."""

from jimeng_tui.sandbox.cli import main

raise SystemExit(main())
