/// How a `start-replica` / `restart-replica` is going, judged from the replica's threads re-read after
/// `START SLAVE`. The server's waiting loop asks again until ``replicating`` or ``failed(_:)``, and
/// says at the deadline that the time is up; the decision stays here.
public enum ReplicationStartOutcome: Sendable, Equatable {
    /// Both threads run: done.
    case replicating
    /// Not yet (e.g. the IO thread is still connecting); the text says what is missing.
    case pending(String)
    /// It will not run by waiting: the reason, with the thread's error and what to check.
    case failed(String)

    /// The outcome for `threads` (nil: the instance is no longer a replica). `deadlinePassed` turns
    /// what would still be pending into a failure that says what was last seen.
    public static func evaluate(_ threads: ReplicaThreads?, deadlinePassed: Bool) -> ReplicationStartOutcome {
        guard let threads else {
            return .failed("it is no longer a replica (SHOW SLAVE STATUS is empty)")
        }
        if threads.isReplicating { return .replicating }
        if !threads.sqlRunning, threads.lastSQLErrno != 0 {
            return .failed("the SQL thread stopped with error \(threads.lastSQLErrno): \(threads.lastSQLError); "
                + "fix the cause on the replica, or skip the failing transaction with skip-query")
        }
        // A client-side error (2000-2999: connection refused, lost, unknown host) is retried by the IO
        // thread, and MariaDB may show it as `No` between attempts: wait. A server error that stopped
        // the IO thread (1236 binary log purged, 1593 same server id, 1045 access denied) will not
        // fix itself.
        let ioRetrying = (2000...2999).contains(threads.lastIOErrno)
        if !threads.ioRunning, threads.ioThread.lowercased() == "no", threads.lastIOErrno != 0, !ioRetrying {
            return .failed("the IO thread stopped with error \(threads.lastIOErrno): \(threads.lastIOError); "
                + "fix the cause (the master's binary logs, the replication user and password, server ids) and start "
                + "replication again")
        }
        let waiting: String
        if !threads.ioRunning, threads.lastIOErrno != 0 {
            waiting = "the IO thread is not connected to \(threads.masterKey) (IO \(threads.ioThread), error "
                + "\(threads.lastIOErrno): \(threads.lastIOError)); check that the master is up and reachable and that the "
                + "replication user and password are right"
        } else {
            waiting = "the threads are not both running yet (\(threads.summary))"
        }
        return deadlinePassed ? .failed(waiting) : .pending(waiting)
    }
}
