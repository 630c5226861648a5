import ConfigFormat
import Testing

@Suite struct ConfigMappingTests {
    let text = """
        members: 50
        beta: 80
        name: twin
        flags: [1, 2, 3]
        nested:
          cutoff_km: 1280.5
          enabled: true
        """

    @Test func typedValuesDefaultsAndNesting() throws {
        let top = try ConfigMapping.parse(text, file: "exp.yaml")
        #expect(try top.value("members", in: 1...1000) == 50)
        #expect(try top.value("beta", as: Double.self) == 80)
        #expect(try top.value("name", as: String.self) == "twin")
        #expect(try top.list("flags", of: Int.self) == [1, 2, 3])
        #expect(try top.value("absent", default: 4) == 4)
        let nested = try top.mapping("nested")
        #expect(try nested.value("cutoff_km", as: Double.self) == 1280.5)
        #expect(try nested.value("enabled", as: Bool.self))
        try nested.finish()
        try top.finish()
    }

    @Test func unknownKeysAreErrorsNamingThePath() throws {
        let top = try ConfigMapping.parse("nested:\n  cutof_km: 3\n", file: "exp.yaml")
        let nested = try top.mapping("nested")
        _ = try nested.optional("cutoff_km", as: Double.self)
        let error = #expect(throws: ConfigError.self) { try nested.finish() }
        #expect(error?.description == "exp.yaml:2: key 'nested.cutof_km': unknown key (known keys here: cutoff_km)")
    }

    @Test func wrongTypesRangesAndMissingKeysAreErrors() throws {
        let top = try ConfigMapping.parse("members: -3\nbeta: lots\nmode: fast\n", file: "e.yaml")
        let range = #expect(throws: ConfigError.self) { try top.value("members", in: 1...1000) }
        #expect(range?.key == "members")
        #expect(range?.message.contains("out of range") == true)
        let type = #expect(throws: ConfigError.self) { try top.value("beta", as: Double.self) }
        #expect(type?.message == "expected number, found 'lots'")
        let missing = #expect(throws: ConfigError.self) { try top.value("seed", as: Int.self) }
        #expect(missing?.message == "is required but missing")
        let choice = #expect(throws: ConfigError.self) { try top.choice("mode", from: ["slow", "exact"]) }
        #expect(choice?.message.contains("not one of") == true)
    }

    @Test func malformedAndDuplicateInputIsRejected() {
        #expect(throws: ConfigError.self) { try ConfigMapping.parse("a: [1, 2\n", file: "bad.yaml") }
        #expect(throws: ConfigError.self) { try ConfigMapping.parse("a: 1\na: 2\n", file: "dup.yaml") }
        #expect(throws: ConfigError.self) { try ConfigMapping.parse("- 1\n- 2\n", file: "list.yaml") }
        #expect(throws: ConfigError.self) { try ConfigMapping.parse("", file: "empty.yaml") }
        #expect(throws: ConfigError.self) { try ConfigMapping.load(file: "/nonexistent/exp.yaml") }
    }
}
