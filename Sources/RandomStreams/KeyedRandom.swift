#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RCAS's one random number generator: counter-based, so every number is a
/// pure function of (seed, stream, key) — never of a stream's history, of the
/// order numbers are drawn in, or of the rank that asks. This is what keeps
/// RCAS results bit-identical for any rank count and across restarts
/// (ARCHITECTURE.md, properties 1 and 2).
///
/// The key is folded through the SplitMix64 finaliser (Steele, Lea & Flood
/// 2014, "Fast splittable pseudorandom number generators"), one round per key
/// word, which passes BigCrush as a counter-based generator. Keys are either a
/// labelled (member, hour, cell, draw) tuple, the common case of ensembles on
/// a grid, or any list of integers; (member, hour, cell, draw) and the list
/// [member, hour, cell, draw] give the same numbers.
public struct KeyedRandom: Sendable, Hashable {
    /// The experiment's seed.
    public let seed: UInt64
    /// A tag separating independent uses of the same seed (the FNV-1a hash
    /// of a name such as "synthetic-meteorology" or "gcasv2-flux").
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

    @inline(__always) private var origin: UInt64 { Self.mix(Self.mix(seed) ^ stream) }

    @inline(__always) private static func fold(_ h: UInt64, _ word: Int) -> UInt64 { mix(h ^ UInt64(bitPattern: Int64(word))) }

    // MARK: labelled keys

    /// 64 random bits for the key.
    @inline(__always)
    public func bits(member: Int, hour: Int, cell: Int, draw: Int = 0) -> UInt64 {
        Self.fold(Self.fold(Self.fold(Self.fold(origin, member), hour), cell), draw)
    }

    /// A uniform number in the open interval (0, 1): the top 53 bits plus a
    /// half step, so 0 and 1 never occur (safe for logarithms).
    public func uniform(member: Int, hour: Int, cell: Int, draw: Int = 0) -> Double {
        Self.unit(bits(member: member, hour: hour, cell: cell, draw: draw))
    }

    /// A standard normal number, by the Box-Muller transform of the uniform
    /// draws `2 draw` and `2 draw + 1` of the same key.
    public func normal(member: Int, hour: Int, cell: Int, draw: Int = 0) -> Double {
        Self.boxMuller(uniform(member: member, hour: hour, cell: cell, draw: 2 * draw),
                       uniform(member: member, hour: hour, cell: cell, draw: 2 * draw + 1))
    }

    // MARK: list keys

    /// 64 random bits for a key of any length.
    public func bits(_ key: [Int]) -> UInt64 { key.reduce(origin, Self.fold) }

    /// A uniform number in (0, 1) for `key`.
    public func uniform(_ key: Int...) -> Double { Self.unit(bits(key)) }

    /// A standard normal number for `key` (Box-Muller on the keys `key + [0]`
    /// and `key + [1]`, as the labelled form does for draw 0).
    public func normal(_ key: Int...) -> Double {
        Self.boxMuller(Self.unit(bits(key + [0])), Self.unit(bits(key + [1])))
    }

    @inline(__always) static func unit(_ bits: UInt64) -> Double { (Double(bits >> 11) + 0.5) * 0x1p-53 }

    @inline(__always) static func boxMuller(_ u1: Double, _ u2: Double) -> Double {
        (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
