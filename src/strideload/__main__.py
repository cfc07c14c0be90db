from strideload.cli.main import main

main()
