import NIOCore

/// Runs tasks that prefer it (`addTask(executorPreference:)`) on one SwiftNIO event loop.
///
/// A probe over orchd's own connections waits for its answers on the loop that reads them. Running
/// the probe's task on that same loop means the answer resumes it with a queued call on the same
/// thread, instead of a wake-up of a task-pool thread per probe (at 10,000 servers a second, the
/// wake-ups and their scheduling were a tenth of the node's CPU). Only code that never blocks may
/// run here: probes do (libmariadb calls run on their own queues).
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
