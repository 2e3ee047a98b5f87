import NIOCore
import NIOPosix

/// The thread Raft runs on. A ``RaftService`` actor runs on the event loop of its transport's
/// connections (``RaftTransport/eventLoop``, else this one), and ``NIORaftTransport``'s connections
/// live here: a frame is read, stepped through the node and answered on one thread, and the leader's
/// heartbeat timer is a timer of that loop. An idle leader then wakes once per heartbeat, not four
/// times (a timer thread, a task, the actor, the transport's loop).
///
/// One thread for the process, never shut down (as NIO's own singleton): an actor's executor must
/// outlive every task that may still hop onto it, and a transport is shut down before its service's
/// last step. Kept apart from the probes' loops, so that a fleet's polling cannot delay a heartbeat.
/// A daemon runs one member; several transports in one process (tests) share the thread.
enum RaftEventLoop {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// A thread of its own, for a service whose transport has no loop (the single-node transport,
    /// tests' in-memory network): such a service never waits behind another's fsync. Never shut down
    /// either, for the same reason as `group`.
    static func ownLoop() -> any EventLoop {
        MultiThreadedEventLoopGroup(numberOfThreads: 1).next()
    }
}
