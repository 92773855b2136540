from responder.cli.app import main

main()
