import Foundation
import Testing
import TestSupport

/// Files written by the Python netCDF4 library (the reference CF reader and
/// writer of the ecosystem), so the tests read what other tools make.
enum PythonNetCDF {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `script` with python3; fails (never skips) when python3 or its
    /// netCDF4 package is missing, and when the script fails.
    static func run(_ script: String) throws {
        let check = try TestEnvironment.run("/usr/bin/env", ["python3", "-c", "import netCDF4, numpy"])
        guard check.status == 0 else {
            throw Missing(description: "python3 with the netCDF4 and numpy packages is required for this test "
                + "(JobScripts/lib/install-dependencies.sh installs them): \(check.stderr)")
        }
        let result = try TestEnvironment.run("/usr/bin/env", ["python3", "-c", script])
        guard result.status == 0 else {
            throw Missing(description: "the Python writer failed: \(result.stderr)")
        }
    }
}
