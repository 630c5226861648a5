import Foundation
import RandomStreams
import Testing

@Test func sameKeyGivesSameNumberAndKeysAreIndependent() {
    let a = KeyedRandom(seed: 42, stream: "test")
    let b = KeyedRandom(seed: 42, stream: "test")
    #expect(a.uniform(member: 3, hour: 100, cell: 7) == b.uniform(member: 3, hour: 100, cell: 7))
    #expect(a.uniform(member: 3, hour: 100, cell: 7) != a.uniform(member: 4, hour: 100, cell: 7))
    #expect(a.uniform(member: 3, hour: 100, cell: 7) != a.uniform(member: 3, hour: 101, cell: 7))
    #expect(a.uniform(member: 3, hour: 100, cell: 7) != a.uniform(member: 3, hour: 100, cell: 8))
    #expect(a.uniform(member: 3, hour: 100, cell: 7) != a.uniform(member: 3, hour: 100, cell: 7, draw: 1))
    #expect(a.uniform(member: 3, hour: 100, cell: 7) != KeyedRandom(seed: 43, stream: "test").uniform(member: 3, hour: 100, cell: 7))
    #expect(a.uniform(member: 3, hour: 100, cell: 7) != KeyedRandom(seed: 42, stream: "other").uniform(member: 3, hour: 100, cell: 7))
}

@Test func streamNameHashIsStable() {
    // FNV-1a of the empty string is its offset basis; of "a" a published value.
    #expect(KeyedRandom(seed: 0, stream: "").stream == 0xcbf2_9ce4_8422_2325)
    #expect(KeyedRandom(seed: 0, stream: "a").stream == 0xaf63_dc4c_8601_ec8c)
}

@Test func uniformAndNormalMomentsMatchTheirDistributions() {
    let random = KeyedRandom(seed: 7, stream: "moments")
    let n = 200_000
    var sumU = 0.0, sumU2 = 0.0, sumZ = 0.0, sumZ2 = 0.0, minU = 1.0, maxU = 0.0
    for cell in 0..<n {
        let u = random.uniform(member: 0, hour: 0, cell: cell)
        let z = random.normal(member: 1, hour: 5, cell: cell)
        sumU += u; sumU2 += u * u; sumZ += z; sumZ2 += z * z
        minU = min(minU, u); maxU = max(maxU, u)
    }
    let N = Double(n)
    // Standard errors: uniform mean 0.29/sqrt(N) = 6.5e-4; normal mean 1/sqrt(N) = 2.2e-3.
    #expect(abs(sumU / N - 0.5) < 0.003)
    #expect(abs(sumU2 / N - 1.0 / 3) < 0.003)
    #expect(abs(sumZ / N) < 0.01)
    #expect(abs(sumZ2 / N - 1) < 0.015)
    #expect(minU > 0 && maxU < 1)
}

@Test func listKeysAndLabelledKeysAreOneGenerator() {
    let random = KeyedRandom(seed: 11, stream: "one generator")
    #expect(random.bits([3, 100, 7, 2]) == random.bits(member: 3, hour: 100, cell: 7, draw: 2))
    #expect(random.uniform(3, 100, 7, 0) == random.uniform(member: 3, hour: 100, cell: 7))
    #expect(random.normal(3, 100, 7) == random.normal(member: 3, hour: 100, cell: 7))
    #expect(random.uniform(1, 2) != random.uniform(2, 1))
    #expect(random.uniform(1, 2) != random.uniform(1, 2, 0))
}
