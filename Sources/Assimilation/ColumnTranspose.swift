import Parallel

/// Which rank updates which grid columns. Columns are load-balanced by their
/// cost, 1 + the number of observations within the localization reach (as the
/// NOAA EnKF does): longest-processing-time greedy, columns in decreasing cost
/// (ties: lower column index first) each to the least-loaded rank (ties: lower
/// rank). The assignment is a pure function of its inputs, so every rank
/// computes the same one.
public enum ColumnOwnership {
    /// Owned columns per rank, each list ascending.
    public static func balanced(columns: [Int], costs: [Int], rankCount: Int) -> [[Int]] {
        precondition(columns.count == costs.count && rankCount >= 1)
        let order = columns.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : columns[$0] < columns[$1] }
        var load = [Int](repeating: 0, count: rankCount)
        var owned = Array(repeating: [Int](), count: rankCount)
        for index in order {
            var best = 0
            for r in 1..<rankCount where load[r] < load[best] { best = r }
            load[best] += costs[index]
            owned[best].append(columns[index])
        }
        return owned.map { $0.sorted() }
    }

    /// Cost of each column: 1 + observations closer than `reach`.
    public static func costs(columns: [Int], observationCount: Int, reach: Double,
                             geometry: some LocalizationGeometry) -> [Int] {
        var costs = [Int](repeating: 1, count: columns.count)
        for j in 0..<observationCount {
            for (c, _) in geometry.columns(near: j, among: columns, below: reach) { costs[c] += 1 }
        }
        return costs
    }
}

/// The transpose between the model layout and the analysis layout.
///
/// Input (model layout): each rank holds a contiguous block of members (its
/// member group) for some columns (its tile). Output (analysis layout): each
/// rank holds all members for the columns it owns. The transposed columns may
/// be a subset of the blocks' columns (the analysis moves only the columns an
/// observation reaches): messages are filled straight from the model block and
/// written straight back into it. Every transposed (column, member) must be
/// held by exactly one rank on input and every transposed column owned by
/// exactly one rank. Both directions are one `alltoallv`; messages list values
/// in the sender's column order, variables, then members, so both sides know
/// the placement from the descriptors alone.
public struct ColumnTranspose {
    public let communicator: any Communicator
    public let variableCount: Int
    public let memberCount: Int
    /// Transposed columns (ascending) and member block of every rank.
    public let inputColumns: [[Int]]
    public let inputMembers: [Range<Int>]
    /// Owned columns of every rank.
    public let ownedColumns: [[Int]]
    private let owner: [Int: Int]

    /// Collective: every rank passes the columns of its block to transpose
    /// (ascending), its members and the (identical) ownership table.
    public init(communicator: any Communicator, localColumns: [Int], localMembers: Range<Int>,
                ownedColumns: [[Int]], variableCount: Int, memberCount: Int) {
        precondition(ownedColumns.count == communicator.size)
        self.communicator = communicator
        self.variableCount = variableCount
        self.memberCount = memberCount
        self.ownedColumns = ownedColumns
        inputColumns = communicator.allgather(localColumns)
        inputMembers = communicator.allgather([localMembers.lowerBound, localMembers.upperBound]).map { $0[0]..<$0[1] }
        var owner: [Int: Int] = [:]
        for (r, columns) in ownedColumns.enumerated() {
            for column in columns {
                if owner.updateValue(r, forKey: column) != nil { communicator.abort("column \(column) owned twice") }
            }
        }
        self.owner = owner
        // Every owned column must be covered by every member exactly once.
        var coverage: [Int: Int] = [:]
        for (r, columns) in inputColumns.enumerated() {
            for column in columns {
                guard owner[column] != nil else { communicator.abort("input column \(column) has no owner") }
                coverage[column, default: 0] += inputMembers[r].count
            }
        }
        for column in owner.keys where coverage[column] != memberCount {
            communicator.abort("column \(column) is held for \(coverage[column] ?? 0) of \(memberCount) members")
        }
    }

    /// Model layout -> analysis layout. `block` holds this rank's members for
    /// at least the columns it transposes.
    public func toOwners(_ block: ColumnEnsemble) -> ColumnEnsemble {
        let me = communicator.rank
        precondition(block.members == inputMembers[me])
        let sources = positions(of: inputColumns[me], in: block)
        let stride = block.columnStride
        var counts = [Int](repeating: 0, count: communicator.size)
        for column in inputColumns[me] { counts[owner[column]!] += stride }
        var outgoing = counts.map { count -> [Double] in
            var message = [Double]()
            message.reserveCapacity(count)
            return message
        }
        block.values.withUnsafeBufferPointer { values in
            for (column, c) in zip(inputColumns[me], sources) {
                outgoing[owner[column]!].append(contentsOf: values[(c * stride)..<((c + 1) * stride)])
            }
        }
        let incoming = communicator.alltoallv(outgoing)
        var result = ColumnEnsemble(columns: ownedColumns[me], variableCount: variableCount, members: 0..<memberCount)
        let local = Dictionary(uniqueKeysWithValues: result.columns.enumerated().map { ($1, $0) })
        result.values.withUnsafeMutableBufferPointer { target in
            for (source, message) in incoming.enumerated() {
                let members = inputMembers[source]
                var position = 0
                message.withUnsafeBufferPointer { message in
                    for column in inputColumns[source] where owner[column] == me {
                        let c = local[column]!
                        // Each (column, variable) row of the sender is a contiguous run of its members.
                        for v in 0..<variableCount {
                            let start = (c * variableCount + v) * memberCount + members.lowerBound
                            for m in 0..<members.count { target[start + m] = message[position + m] }
                            position += members.count
                        }
                    }
                    precondition(position == message.count, "transpose message size mismatch")
                }
            }
        }
        return result
    }

    /// Analysis layout -> model layout, the inverse of `toOwners`: the
    /// transposed columns of `block` are overwritten with the owners' values,
    /// its other columns are left as they are.
    public func toMembers(_ owned: ColumnEnsemble, into block: inout ColumnEnsemble) {
        let me = communicator.rank
        precondition(owned.columns == ownedColumns[me] && owned.members == 0..<memberCount)
        precondition(block.members == inputMembers[me])
        let local = Dictionary(uniqueKeysWithValues: owned.columns.enumerated().map { ($1, $0) })
        var outgoing = Array(repeating: [Double](), count: communicator.size)
        owned.values.withUnsafeBufferPointer { values in
            for destination in 0..<communicator.size {
                let members = inputMembers[destination]
                let columns = inputColumns[destination].filter { owner[$0] == me }
                outgoing[destination].reserveCapacity(columns.count * variableCount * members.count)
                for column in columns {
                    let c = local[column]!
                    for v in 0..<variableCount {
                        let start = (c * variableCount + v) * memberCount + members.lowerBound
                        outgoing[destination].append(contentsOf: values[start..<(start + members.count)])
                    }
                }
            }
        }
        let incoming = communicator.alltoallv(outgoing)
        let targets = positions(of: inputColumns[me], in: block)
        var read = [Int](repeating: 0, count: communicator.size)
        let stride = block.columnStride
        block.values.withUnsafeMutableBufferPointer { target in
            for (column, c) in zip(inputColumns[me], targets) {
                let source = owner[column]!
                let start = read[source]
                incoming[source].withUnsafeBufferPointer { message in
                    for i in 0..<stride { target[c * stride + i] = message[start + i] }
                }
                read[source] += stride
            }
        }
    }

    /// Local indices in `block` of `columns` (both ascending; every one present).
    private func positions(of columns: [Int], in block: ColumnEnsemble) -> [Int] {
        var result = [Int]()
        result.reserveCapacity(columns.count)
        var c = 0
        for column in columns {
            while c < block.columns.count && block.columns[c] < column { c += 1 }
            precondition(c < block.columns.count && block.columns[c] == column,
                         "transposed column \(column) is not in the block")
            result.append(c)
        }
        return result
    }
}
