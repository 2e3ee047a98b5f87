/// Which of several replicas (of the same master) has applied the most: the question a failover asks
/// before promoting one.
public enum ReplicaProgress {
    /// The basis a comparison used.
    public enum Basis: Sendable, Hashable {
        /// MySQL `ExecutedGtidSet` containment.
        case mysqlGTID
        /// MariaDB `GtidCurrentPos`, per domain by sequence.
        case mariaDBGTID
        /// `ExecBinlogCoordinates` in the shared master's binary log (no GTID).
        case binlogCoordinates
        /// The instances share no comparable data.
        case none
    }

    /// Compares `replicas` on the best basis all of them support (MySQL GTID, then MariaDB GTID,
    /// then executed coordinates when all replicate from the same master). Returns the indices of the
    /// most advanced (ties share the win), or `.incomparable` when positions diverged or nothing is
    /// comparable.
    public static func mostAdvanced(_ replicas: [Instance]) -> (MostAdvanced, Basis) {
        guard !replicas.isEmpty else { return (.none, .none) }
        let mysql = replicas.map(\.executedGTIDSet)
        if mysql.allSatisfy({ $0 != nil }) { return (mysql.map { $0! }.mostAdvanced(), .mysqlGTID) }
        let maria = replicas.map(\.gtidCurrentPosition)
        if maria.allSatisfy({ $0 != nil }) { return (maria.map { $0! }.mostAdvanced(), .mariaDBGTID) }
        let masters = Set(replicas.map(\.masterKey))
        if masters.count == 1, masters.first! != nil, replicas.allSatisfy({ !$0.execBinlogCoordinates.isEmpty }) {
            let best = replicas.map(\.execBinlogCoordinates).max()!
            return (.winners(replicas.indices.filter { replicas[$0].execBinlogCoordinates == best }), .binlogCoordinates)
        }
        return (.incomparable(Array(replicas.indices)), .none)
    }
}
