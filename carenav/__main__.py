from carenav.cli import main

raise SystemExit(main())
