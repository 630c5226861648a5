import Testing
import TestSupport

/// The shared tolerance helpers (TestSupport has no test target of its own).
@Suite struct ToleranceTests {
    @Test func closenessIsTheLargerOfTheAbsoluteAndRelativeAllowance() {
        #expect(isClose(1, 1))
        #expect(!isClose(1, 1.0000001))
        #expect(isClose(100, 100.5, relative: 0.01))
        #expect(!isClose(100, 102, relative: 0.01))
        #expect(isClose(0, 1e-13, relative: 1e-6, absolute: 1e-12))
        #expect(!isClose(0, 1e-11, relative: 1e-6, absolute: 1e-12))
        #expect(isClose(.infinity, .infinity))
        #expect(!isClose(.nan, .nan, relative: 1, absolute: 1))
        #expect(!isClose(1, .nan, absolute: .infinity))
    }

    @Test func arrayComparisonNamesTheWorstElement() {
        let c = closeness([1, 2.5, 3, 4.1], [1, 2, 3, 4], absolute: 0.01)
        #expect(!c.passed && c.failures == 2 && c.count == 4)
        #expect(c.worst?.index == 1 && c.worst?.difference == 0.5 && c.worst?.allowed == 0.01)
        #expect("\(c)".contains("worst at [1]: 2.5 vs expected 2.0"))
        #expect(closeness([1, 2], [1, 2]).passed)
        let nan = closeness([1, .nan], [1, 2], absolute: 1)
        #expect(!nan.passed && nan.worst?.index == 1)
        let short = closeness([1.0], [1, 2])
        #expect(!short.passed && short.lengthsDiffer && short.failures == 0)
    }

    @Test func bitComparisonSeesSignedZerosAndLengths() {
        #expect(firstBitDifference([1, 2], [1, 2]) == nil)
        #expect(firstBitDifference([1, 0.0], [1, -0.0]) == 1)
        #expect(firstBitDifference([1, 2], [1, 2, 3]) == 2)
        #expect(firstBitDifference([.nan], [.nan]) == nil)
    }
}
