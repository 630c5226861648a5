import Geometry

/// A city (or the industrial region around it) emitting fossil CO2.
public struct FossilSource: Sendable, Equatable {
    public let name: String
    public let location: GeoPoint
    /// Annual emission (Tg C yr⁻¹).
    public let annualEmission: Double

    public init(name: String, latitude: Double, longitude: Double, annualEmission: Double) {
        self.name = name
        location = GeoPoint(latitude: latitude, longitude: longitude)
        self.annualEmission = annualEmission
    }

    /// Big East and South Asian cities and industrial regions at their real
    /// coordinates. Emissions (Tg C yr⁻¹) are round numbers chosen so that the
    /// sums by country are of the order of the national fossil totals of the
    /// mid-2010s (China ≈ 2.8 Pg C yr⁻¹; Japan ≈ 0.33; South Korea ≈ 0.17;
    /// Taiwan ≈ 0.07; Global Carbon Project 2017): each city stands for its
    /// province or region, so a city's number is not its own inventory value.
    public static let eastAsia: [FossilSource] = [
        // China
        .init(name: "Beijing", latitude: 39.90, longitude: 116.40, annualEmission: 60),
        .init(name: "Tianjin", latitude: 39.13, longitude: 117.20, annualEmission: 70),
        .init(name: "Shijiazhuang", latitude: 38.04, longitude: 114.51, annualEmission: 150),
        .init(name: "Tangshan", latitude: 39.63, longitude: 118.18, annualEmission: 120),
        .init(name: "Taiyuan", latitude: 37.87, longitude: 112.55, annualEmission: 150),
        .init(name: "Baotou", latitude: 40.66, longitude: 109.84, annualEmission: 140),
        .init(name: "Shenyang", latitude: 41.80, longitude: 123.43, annualEmission: 130),
        .init(name: "Changchun", latitude: 43.88, longitude: 125.32, annualEmission: 50),
        .init(name: "Harbin", latitude: 45.80, longitude: 126.53, annualEmission: 60),
        .init(name: "Jinan", latitude: 36.65, longitude: 117.12, annualEmission: 130),
        .init(name: "Qingdao", latitude: 36.07, longitude: 120.38, annualEmission: 60),
        .init(name: "Zhengzhou", latitude: 34.75, longitude: 113.63, annualEmission: 140),
        .init(name: "Shanghai", latitude: 31.23, longitude: 121.47, annualEmission: 110),
        .init(name: "Nanjing", latitude: 32.06, longitude: 118.80, annualEmission: 140),
        .init(name: "Suzhou", latitude: 31.30, longitude: 120.59, annualEmission: 90),
        .init(name: "Hangzhou", latitude: 30.27, longitude: 120.16, annualEmission: 110),
        .init(name: "Hefei", latitude: 31.82, longitude: 117.23, annualEmission: 80),
        .init(name: "Wuhan", latitude: 30.59, longitude: 114.31, annualEmission: 100),
        .init(name: "Changsha", latitude: 28.23, longitude: 112.94, annualEmission: 70),
        .init(name: "Nanchang", latitude: 28.68, longitude: 115.86, annualEmission: 50),
        .init(name: "Fuzhou", latitude: 26.07, longitude: 119.30, annualEmission: 70),
        .init(name: "Guangzhou", latitude: 23.13, longitude: 113.26, annualEmission: 90),
        .init(name: "Shenzhen", latitude: 22.54, longitude: 114.06, annualEmission: 70),
        .init(name: "Nanning", latitude: 22.82, longitude: 108.37, annualEmission: 40),
        .init(name: "Guiyang", latitude: 26.65, longitude: 106.63, annualEmission: 50),
        .init(name: "Kunming", latitude: 25.04, longitude: 102.71, annualEmission: 40),
        .init(name: "Chengdu", latitude: 30.57, longitude: 104.07, annualEmission: 70),
        .init(name: "Chongqing", latitude: 29.56, longitude: 106.55, annualEmission: 70),
        .init(name: "Xi'an", latitude: 34.34, longitude: 108.94, annualEmission: 70),
        .init(name: "Lanzhou", latitude: 36.06, longitude: 103.83, annualEmission: 40),
        .init(name: "Yinchuan", latitude: 38.49, longitude: 106.23, annualEmission: 60),
        .init(name: "Urumqi", latitude: 43.83, longitude: 87.62, annualEmission: 80),
        .init(name: "Hong Kong", latitude: 22.32, longitude: 114.17, annualEmission: 12),
        // Korea, Japan, Taiwan
        .init(name: "Seoul", latitude: 37.57, longitude: 126.98, annualEmission: 100),
        .init(name: "Ulsan", latitude: 35.54, longitude: 129.31, annualEmission: 60),
        .init(name: "Pyongyang", latitude: 39.04, longitude: 125.76, annualEmission: 10),
        .init(name: "Tokyo", latitude: 35.68, longitude: 139.69, annualEmission: 130),
        .init(name: "Osaka", latitude: 34.69, longitude: 135.50, annualEmission: 90),
        .init(name: "Nagoya", latitude: 35.18, longitude: 136.91, annualEmission: 70),
        .init(name: "Fukuoka", latitude: 33.59, longitude: 130.40, annualEmission: 40),
        .init(name: "Taipei", latitude: 25.03, longitude: 121.57, annualEmission: 40),
        .init(name: "Kaohsiung", latitude: 22.63, longitude: 120.30, annualEmission: 30),
        // South and South-East Asia, Mongolia, Russian Far East
        .init(name: "Delhi", latitude: 28.61, longitude: 77.21, annualEmission: 60),
        .init(name: "Kolkata", latitude: 22.57, longitude: 88.36, annualEmission: 40),
        .init(name: "Dhaka", latitude: 23.81, longitude: 90.41, annualEmission: 15),
        .init(name: "Yangon", latitude: 16.84, longitude: 96.17, annualEmission: 5),
        .init(name: "Bangkok", latitude: 13.76, longitude: 100.50, annualEmission: 50),
        .init(name: "Hanoi", latitude: 21.03, longitude: 105.85, annualEmission: 25),
        .init(name: "Ho Chi Minh City", latitude: 10.82, longitude: 106.63, annualEmission: 25),
        .init(name: "Manila", latitude: 14.60, longitude: 120.98, annualEmission: 25),
        .init(name: "Ulaanbaatar", latitude: 47.89, longitude: 106.91, annualEmission: 10),
        .init(name: "Vladivostok", latitude: 43.12, longitude: 131.89, annualEmission: 5),
    ]
}
