import ArgumentParser
import Assimilation

useOneBLASThreadPerRank()
keepFreedMemoryForReuse()
// Parsing errors (and --help) keep the argument parser's handling; errors of a
// command's work exit with the code of their class (ExitStatus).
do {
    var command = try RCASCommand.parseAsRoot()
    do {
        try command.run()
    } catch {
        exitAfter(error)
    }
} catch {
    RCASCommand.exit(withError: error)
}
