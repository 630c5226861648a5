/// Tolerance checks shared by the test targets: one definition of "close",
/// and array comparisons that say where and by how much they fail.
///
/// Two numbers are close when |a − b| ≤ max(absolute, relative · max(|a|, |b|)).
/// Equal numbers (including equal infinities) are always close; NaN is never
/// close to anything.
public func isClose(_ a: Double, _ b: Double, relative: Double = 0, absolute: Double = 0) -> Bool {
    a == b || abs(a - b) <= allowedDifference(a, b, relative: relative, absolute: absolute)
}

/// The largest |a − b| that ``isClose(_:_:relative:absolute:)`` accepts.
public func allowedDifference(_ a: Double, _ b: Double, relative: Double, absolute: Double) -> Double {
    max(absolute, relative * max(abs(a), abs(b)))
}

/// The outcome of comparing two arrays element by element.
public struct Closeness: Sendable, CustomStringConvertible {
    /// Elements compared (the shorter length when the lengths differ).
    public let count: Int
    /// True when the lengths differ.
    public let lengthsDiffer: Bool
    /// Number of elements that are not close.
    public let failures: Int
    /// The element whose difference exceeds its allowance most (nil when
    /// nothing was compared), with both values, |actual − expected| and the
    /// allowed difference.
    public let worst: (index: Int, actual: Double, expected: Double, difference: Double, allowed: Double)?

    /// True when the lengths agree and every element is close.
    public var passed: Bool { !lengthsDiffer && failures == 0 }

    public var description: String {
        var parts: [String] = []
        if lengthsDiffer { parts.append("lengths differ") }
        parts.append("\(failures) of \(count) elements not close")
        if let w = worst {
            parts.append("worst at [\(w.index)]: \(w.actual) vs expected \(w.expected) "
                         + "(difference \(w.difference), allowed \(w.allowed))")
        }
        return parts.joined(separator: "; ")
    }
}

/// Compares `actual` with `expected` element by element (see
/// ``isClose(_:_:relative:absolute:)``); use as
/// `let c = closeness(a, b, relative: 1e-12); #expect(c.passed, "\(c)")`.
public func closeness(_ actual: some Collection<Double>, _ expected: some Collection<Double>,
                      relative: Double = 0, absolute: Double = 0) -> Closeness {
    var failures = 0, count = 0
    var worst: (index: Int, actual: Double, expected: Double, difference: Double, allowed: Double)?
    var worstExcess = -Double.infinity
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        count += 1
        let allowed = allowedDifference(a, e, relative: relative, absolute: absolute)
        let difference = a == e ? 0 : abs(a - e)
        // NaN differences compare false everywhere: count them as the worst.
        let excess = difference.isNaN ? Double.infinity : difference - allowed
        if !isClose(a, e, relative: relative, absolute: absolute) { failures += 1 }
        if worst == nil || excess > worstExcess {
            worstExcess = excess
            worst = (index, a, e, difference, allowed)
        }
    }
    return Closeness(count: count, lengthsDiffer: actual.count != expected.count, failures: failures, worst: worst)
}

/// The first index where two arrays differ bit for bit (nil when identical,
/// including their lengths); for results that must not depend on how they
/// were computed. Compares bit patterns, so −0 differs from +0 and a NaN
/// equals the same NaN.
public func firstBitDifference(_ actual: [Double], _ expected: [Double]) -> Int? {
    for (index, (a, e)) in zip(actual, expected).enumerated() where a.bitPattern != e.bitPattern { return index }
    return actual.count == expected.count ? nil : min(actual.count, expected.count)
}
