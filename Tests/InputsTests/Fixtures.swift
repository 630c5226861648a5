import Foundation
import Testing
import TestSupport

/// The real-format sample writer for CarbonTracker files.
let carbonTrackerScript = TestEnvironment.packageRoot.appendingPathComponent("Tests/Fixtures/realformat/carbontracker.py").path

/// A failure of the fixture writer, with its own message (e.g. the netCDF4
/// module missing): the test fails with it, it is never skipped.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
}

/// Runs carbontracker.py for `product` ("fluxes" or "molefractions") into a
/// fresh folder and returns the folder and the files written.
func writeCarbonTracker(_ product: String, _ arguments: [String] = []) throws -> (folder: URL, files: [String]) {
    let folder = try TestEnvironment.temporaryDirectory("rcas-ct")
    let result = try TestEnvironment.run("/usr/bin/env", ["python3", carbonTrackerScript, product, folder.path] + arguments)
    guard result.status == 0 else {
        throw FixtureError(description: "carbontracker.py \(product) \(arguments.joined(separator: " ")) failed "
                           + "(status \(result.status)): \(result.stderr)")
    }
    return (folder, result.stdout.split(separator: "\n").map(String.init))
}

/// Expects `body` to throw an error whose description contains every one of `parts`.
func expectError(containing parts: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("no error; expected one mentioning \(parts)", sourceLocation: sourceLocation)
    } catch {
        let text = "\(error)"
        for part in parts where !text.contains(part) {
            Issue.record("error does not mention '\(part)': \(text)", sourceLocation: sourceLocation)
        }
    }
}
