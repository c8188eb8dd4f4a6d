from vlaser.cli import main

main()
