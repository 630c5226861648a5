import ConfigFormat
import Testing
import Transport

@Suite("Transport settings")
struct TransportSettingsTests {
    func read(_ yaml: String) throws -> TransportSettings {
        let top = try ConfigMapping.parse(yaml, file: "test.yaml")
        let settings = try TransportSettings(try top.mapping("transport"))
        try top.finish()
        return settings
    }

    @Test("an empty section gives van Leer with Courant limit 1")
    func defaults() throws {
        let settings = try read("transport: {}")
        #expect(settings == .standard)
        #expect(settings.options.scheme == .vanLeer && settings.options.courantLimit == 1)
        #expect(!settings.options.scheme.isLinear)
    }

    @Test("every scheme reads and prints back to itself")
    func roundTrip() throws {
        for scheme in TransportOptions.Scheme.allCases {
            let settings = try read("transport: {advection: \(scheme.rawValue), courant_limit: 0.8}")
            #expect(settings.options == TransportOptions(scheme: scheme, courantLimit: 0.8))
            #expect(try read(ConfigNode.mapping([("transport", settings.configNode)]).yaml) == settings)
        }
        #expect(TransportOptions.Scheme.fromm.isLinear && TransportOptions.Scheme.upwind.isLinear)
        #expect(TransportSettings.standard.configNode.flow == "{advection: van-leer, courant_limit: 1.0}")
    }

    @Test("unknown keys, unknown schemes and Courant limits outside 0.1...1 are errors naming the key")
    func badValues() {
        for (yaml, key) in [("transport: {advection: lax-wendroff}", "transport.advection"),
                            ("transport: {courant_limit: 1.5}", "transport.courant_limit"),
                            ("transport: {courant_limit: 0}", "transport.courant_limit"),
                            ("transport: {courant_limit: fast}", "transport.courant_limit"),
                            ("transport: {scheme: upwind}", "transport.scheme")] {
            do {
                _ = try read(yaml)
                Issue.record("\(yaml) was accepted")
            } catch let error as ConfigError {
                #expect(error.key == key, "\(yaml): \(error)")
            } catch {
                Issue.record("\(yaml): \(error)")
            }
        }
    }
}
