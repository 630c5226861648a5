/// A latitude/longitude box, e.g. the regions of Kou2023 Fig. 3.
public struct LatLonBox: Sendable, Equatable {
    public let name: String
    public let south: Double
    public let north: Double
    public let west: Double
    public let east: Double

    public init(name: String, south: Double, north: Double, west: Double, east: Double) {
        precondition(south < north && west < east, "box \(name) must have south < north and west < east")
        self.name = name
        self.south = south
        self.north = north
        self.west = west
        self.east = east
    }

    /// True when `point` lies in the box (edges included); false for a
    /// non-finite point.
    public func contains(_ point: GeoPoint) -> Bool {
        guard point.longitude.isFinite, point.latitude >= south, point.latitude <= north else { return false }
        // The longitude moved into [west, west + 360) in one step (no loop a huge value could stall).
        var lon = west + (point.longitude - west).truncatingRemainder(dividingBy: 360)
        if lon < west { lon += 360 }
        return lon <= east
    }
}

extension HorizontalGrid {
    /// Cells whose centre lies in `box`, in flat-index order.
    public func mask(_ box: LatLonBox) -> [Bool] {
        centers().map(box.contains)
    }
}
