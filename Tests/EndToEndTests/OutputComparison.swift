import Foundation
import NetCDFIO
import Testing

/// Every variable of fluxes.nc, observations.nc and concentrations.nc of run
/// folders `a` and `b` equal to the last bit.
func expectIdentical(_ a: URL, _ b: URL) throws {
    for name in ["fluxes.nc", "observations.nc", "concentrations.nc"] {
        let left = try NetCDFFile.open(a.appendingPathComponent(name).path).root
        let right = try NetCDFFile.open(b.appendingPathComponent(name).path).root
        let variables = try left.variableNames()
        #expect(try right.variableNames() == variables)
        for variable in variables {
            let l = try left.variable(variable), r = try right.variable(variable)
            if try l.type() == .char {
                #expect(try l.readCharacterRows() == r.readCharacterRows(), "\(name):\(variable) differs")
            } else {
                let x = try l.read(Double.self), y = try r.read(Double.self)
                #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "\(name):\(variable) differs")
            }
        }
    }
}
