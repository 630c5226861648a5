/// Repeated observation identifiers (a `sounding_id` or `obspack_id` seen
/// twice, in one file or across files): an identical repeat is dropped and
/// counted; two different records under one identifier are an error, since
/// there is no telling which one is right.
enum RecordIdentity {
    /// Keeps the first of each set of identical records (in input order) and
    /// counts the others; `variable` names the identifier in errors.
    static func removingIdenticalRepeats<Record: Equatable, Key: Hashable>(
        _ records: [(record: Record, file: String)], key: (Record) -> Key, variable: String
    ) throws(ObservationError) -> (records: [(record: Record, file: String)], repeats: Int) {
        var firstIndex: [Key: Int] = [:]
        var kept: [(record: Record, file: String)] = []
        kept.reserveCapacity(records.count)
        var repeats = 0
        for item in records {
            let id = key(item.record)
            guard let index = firstIndex[id] else {
                firstIndex[id] = kept.count
                kept.append(item)
                continue
            }
            guard kept[index].record == item.record else {
                let files = kept[index].file == item.file ? "twice in this file" : "also in \(kept[index].file)"
                throw ObservationError(file: item.file, variable: variable,
                                       message: "\(variable) \(id) holds two different records (\(files))")
            }
            repeats += 1
        }
        return (kept, repeats)
    }
}

/// Identity of Lite soundings.
enum SoundingIdentity {
    static let duplicateReason = "sounding_id: identical duplicate"

    static func removingIdenticalRepeats(_ soundings: [(XCO2Sounding, String)]) throws(ObservationError)
        -> (soundings: [(XCO2Sounding, String)], repeats: Int) {
        let result = try RecordIdentity.removingIdenticalRepeats(soundings.map { (record: $0.0, file: $0.1) },
                                                                 key: \.id, variable: "sounding_id")
        return (result.records.map { ($0.record, $0.file) }, result.repeats)
    }
}
