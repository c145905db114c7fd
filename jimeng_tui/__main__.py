from jimeng_tui.cli import main

raise SystemExit(main())
