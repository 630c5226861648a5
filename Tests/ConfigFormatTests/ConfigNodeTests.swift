import ConfigFormat
import Testing

@Suite struct ConfigNodeTests {
    @Test func printedYAMLReadsBackToTheSameValues() throws {
        let awkward = "twin \u{1B}[31mred\u{07}\nline: #2 \"quoted\" \\ yes"
        let node = ConfigNode.mapping([
            ("name", .text(awkward)),
            ("plain", .text("/data/gosat")),
            ("reserved", .text("yes")),
            ("numeric_text", .text("1280")),
            ("cutoff_km", .number(1280)),
            ("members", .integer(50)),
            ("flag", .flag(false)),
            ("levels", .list([.integer(0), .integer(3)])),
            ("assimilation", .mapping([
                ("members", .integer(8)),
                ("localization", .mapping([("horizontal", .text("gaspari-cohn")), ("cutoff_km", .number(2000.5))])),
            ])),
        ])
        let text = node.yaml
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let top = try ConfigMapping.parse(text, file: "printed")
        #expect(try top.value("name", as: String.self) == awkward)
        #expect(try top.value("plain", as: String.self) == "/data/gosat")
        #expect(try top.value("reserved", as: String.self) == "yes")
        #expect(try top.value("numeric_text", as: String.self) == "1280")
        #expect(try top.value("cutoff_km", as: Double.self) == 1280)
        #expect(try top.value("members", as: Int.self) == 50)
        #expect(try top.value("flag", as: Bool.self) == false)
        #expect(try top.list("levels", of: Int.self) == [0, 3])
        let assimilation = try top.mapping("assimilation")
        #expect(try assimilation.value("members", as: Int.self) == 8)
        let localization = try assimilation.mapping("localization")
        #expect(try localization.value("horizontal", as: String.self) == "gaspari-cohn")
        #expect(try localization.value("cutoff_km", as: Double.self) == 2000.5)
    }
}
