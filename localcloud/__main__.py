from localcloud import cli

cli.main()
