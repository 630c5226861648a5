import Foundation

/// A counter-based random generator: every number is a pure function of
/// (seed, stream, member, hour, cell, draw), so a value never depends on which
/// rank computes it, in which order, or how many numbers were drawn before it.
/// This is what keeps RCAS results bit-identical for any rank count and across
/// restarts (ARCHITECTURE.md, properties 1 and 2).
///
/// The key is folded through the SplitMix64 finaliser (Steele, Lea & Flood
/// 2014, "Fast splittable pseudorandom number generators"), one round per key
/// field, which passes BigCrush as a counter-based generator.
public struct KeyedRandom: Sendable, Hashable {
    /// The experiment's seed.
    public let seed: UInt64
    /// A tag separating independent uses of the same seed (e.g. the hash of
    /// "synthetic-meteorology" or "observation-noise").
    public let stream: UInt64

    /// A generator for `seed` and a numeric stream tag.
    public init(seed: UInt64, stream: UInt64) {
        self.seed = seed
        self.stream = stream
    }

    /// A generator for `seed` and a named stream; the name is hashed with
    /// 64-bit FNV-1a, so it is stable across runs and platforms (unlike
    /// Swift's `Hasher`).
    public init(seed: UInt64, stream name: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        self.init(seed: seed, stream: hash)
    }

    /// The SplitMix64 output function: a bijective 64-bit mixer.
    @inline(__always) static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// 64 random bits for the key.
    public func bits(member: Int, hour: Int, cell: Int, draw: Int = 0) -> UInt64 {
        var h = Self.mix(seed)
        h = Self.mix(h ^ stream)
        h = Self.mix(h ^ UInt64(bitPattern: Int64(member)))
        h = Self.mix(h ^ UInt64(bitPattern: Int64(hour)))
        h = Self.mix(h ^ UInt64(bitPattern: Int64(cell)))
        return Self.mix(h ^ UInt64(bitPattern: Int64(draw)))
    }

    /// A uniform number in the open interval (0, 1): the top 53 bits plus a
    /// half step, so 0 and 1 never occur (safe for logarithms).
    public func uniform(member: Int, hour: Int, cell: Int, draw: Int = 0) -> Double {
        (Double(bits(member: member, hour: hour, cell: cell, draw: draw) >> 11) + 0.5) * 0x1p-53
    }

    /// A standard normal number, by the Box-Muller transform of the uniform
    /// draws `2 draw` and `2 draw + 1` of the same key.
    public func normal(member: Int, hour: Int, cell: Int, draw: Int = 0) -> Double {
        let u1 = uniform(member: member, hour: hour, cell: cell, draw: 2 * draw)
        let u2 = uniform(member: member, hour: hour, cell: cell, draw: 2 * draw + 1)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
