import OrchestratorCore

/// Which probed instance rows discovery writes to the backend database after a round.
///
/// The database is read only at start-up (the records discovery starts from), so a row needs rewriting
/// only when something a restarted node should start from changed — a check failing or recovering, the
/// instance's master, cluster, read_only, replication threads, downtime or error — or, for the moving
/// parts (positions, lag, check times), once per `refreshSeconds`. Writing every probed row each round
/// cost a 10,000-server fleet 10,000 row writes a second. Refreshes are spread over the interval
/// (each key gets its own phase), so no round writes the whole fleet at once. Pure bookkeeping.
struct InstanceStoreWrites: Sendable {
    /// What a restarted node should not get wrong.
    struct Digest: Equatable, Sendable {
        var masterKey: InstanceKey?
        var clusterName: String
        var clusterAlias: String
        var isLastCheckValid: Bool
        var readOnly: Bool
        var ioRunning: Bool
        var sqlRunning: Bool
        var isDowntimed: Bool
        var lastError: String
        var replicas: [InstanceKey]

        init(_ r: InstanceRecord) {
            masterKey = r.instance.masterKey
            clusterName = r.instance.clusterName
            clusterAlias = r.clusterAlias
            isLastCheckValid = r.instance.isLastCheckValid
            readOnly = r.instance.readOnly
            ioRunning = r.instance.replicationIOThreadRunning
            sqlRunning = r.instance.replicationSQLThreadRunning
            isDowntimed = r.instance.isDowntimed
            lastError = r.instance.lastError
            replicas = r.instance.replicas
        }
    }

    let refreshSeconds: Int64
    private var written: [InstanceKey: (digest: Digest, due: Timestamp)] = [:]

    init(refreshSeconds: Int64 = 60) { self.refreshSeconds = max(1, refreshSeconds) }

    /// The records among `changed` to write now.
    func select(_ changed: [InstanceRecord], now: Timestamp) -> [InstanceRecord] {
        changed.filter { record in
            guard let last = written[record.key] else { return true }
            return last.due <= now || last.digest != Digest(record)
        }
    }

    /// Records that `records` were written at `now`; the next refresh of each is due within
    /// `refreshSeconds` (at a phase of its own, so refreshes spread over the interval).
    mutating func committed(_ records: [InstanceRecord], now: Timestamp) {
        for record in records {
            let phase: Int64
            if written[record.key] == nil {
                phase = Int64(Self.stableHash(record.key.description) % UInt64(refreshSeconds))
            } else {
                phase = refreshSeconds
            }
            written[record.key] = (Digest(record), now.adding(seconds: max(1, phase)))
        }
    }

    mutating func forget(_ key: InstanceKey) { written.removeValue(forKey: key) }

    /// FNV-1a: the same phase for a key in every process.
    static func stableHash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}
