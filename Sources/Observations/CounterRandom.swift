import Foundation

/// A counter-based random generator: every number is a pure function of a
/// seed and a key (e.g. a sounding id and a stream index), never of the order
/// in which numbers are drawn or of the MPI rank, so synthetic observations
/// are bit-identical however the work is split. The mixing function is
/// SplitMix64's finaliser (Steele, Lea & Flood 2014), applied to the key
/// words one after another.
public struct ObservationRandom: Sendable {
    /// The seed every number is keyed by.
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    @inline(__always) static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits for `key`.
    public func bits(_ key: [UInt64]) -> UInt64 {
        var h = Self.mix(seed)
        for word in key { h = Self.mix(h ^ word) }
        return h
    }

    /// A uniform number in [0, 1) for `key` (53 random bits).
    public func uniform(_ key: UInt64...) -> Double {
        Double(bits(key) >> 11) * 0x1.0p-53
    }

    /// A standard normal number for `key` (Box-Muller on two keyed uniforms).
    public func gaussian(_ key: UInt64...) -> Double {
        let u1 = Double((bits(key + [1]) >> 11) + 1) * 0x1.0p-53   // (0, 1]: log is finite
        let u2 = Double(bits(key + [2]) >> 11) * 0x1.0p-53
        return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    }
}
