import ArgumentParser

RCASCommand.main()
