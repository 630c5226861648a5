import ArgumentParser
import Assimilation

useOneBLASThreadPerRank()
RCASCommand.main()
