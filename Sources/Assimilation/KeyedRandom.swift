/// A counter-based random number generator: every number is a pure function of
/// a seed and an integer key such as (member, hour, cell), never of a stream's
/// history or of the rank that asks. This is what makes ensembles bit-identical
/// for any number of ranks and any layout.
///
/// The mixing function is the SplitMix64 finaliser (Steele, Lea and Flood 2014),
/// applied once per key component so that keys differing in any component give
/// statistically independent outputs.
public enum KeyedRandom {
    /// SplitMix64 finaliser: a bijective 64-bit mixer with full avalanche.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits for `seed` and `key`.
    public static func bits(seed: UInt64, key: [Int]) -> UInt64 {
        var h = mix(seed)
        for component in key { h = mix(h ^ UInt64(bitPattern: Int64(component))) }
        return h
    }

    /// A uniform number in the open interval (0, 1).
    public static func uniform(seed: UInt64, key: [Int]) -> Double {
        (Double(bits(seed: seed, key: key) >> 11) + 0.5) * 0x1p-53
    }

    /// A standard normal number (Box-Muller on two keyed uniforms).
    public static func normal(seed: UInt64, key: [Int]) -> Double {
        let u1 = uniform(seed: seed, key: key + [0])
        let u2 = uniform(seed: seed, key: key + [1])
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
