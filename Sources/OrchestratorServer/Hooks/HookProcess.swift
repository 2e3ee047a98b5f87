import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One hook shell, started with `posix_spawnp` as the leader of its own process group so a timeout can
/// kill it together with everything it started. Waiting happens on a dedicated thread, never on Swift's
/// cooperative pool.
final class HookProcess: @unchecked Sendable {
    struct Outcome: Sendable {
        var exitCode: Int32?
        var signal: Int32?
        var timedOut: Bool
        var output: String
        var outputTruncated: Bool
    }

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    private let outputFD: Int32?
    private let lock = NSLock()
    private var exited = false    // guarded by lock; set before the shell is reaped
    private var timedOut = false  // guarded by lock

    // MARK: - Spawning

    /// Starts `shell -c script` with this process's environment, minus `withholding`, plus `environment`.
    /// - Parameter captureOutput: stdout and stderr go to a pipe we read; otherwise to /dev/null.
    init(shell: String, script: String, environment: [String: String], withholding: Set<String> = [],
         captureOutput: Bool) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        // Own process group (pgid = pid); default dispositions for signals a server commonly ignores
        // (SIGPIPE, ...) since ignored dispositions survive exec; nothing blocked.
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pipeFDs: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&pipeFDs) == 0 else {
                throw LaunchError(description: "cannot create an output pipe: \(String(cString: strerror(errno)))")
            }
            // Keep our ends out of other children; dup2 in the hook clears the flag on its copies.
            _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        // Nothing of orchd's beyond stdin/stdout/stderr reaches the hook: a hook that leaves a background
        // process behind must not keep orchd's sockets, listeners or database files open.
        Self.closeDescriptorsFrom3(&actions)

        var merged = ProcessInfo.processInfo.environment.filter { !withholding.contains($0.key) }
        merged.merge(environment) { _, new in new }
        let arguments: [String] = [shell, "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, shell, &actions, &attributes, argv, envp)
        if captureOutput { close(pipeFDs[1]) }
        guard rc == 0 else {
            if captureOutput { close(pipeFDs[0]) }
            throw LaunchError(description: "cannot start \"\(shell)\" (ProcessesShellCommand): \(String(cString: strerror(rc)))")
        }
        pid = child
        outputFD = captureOutput ? pipeFDs[0] : nil
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not
    /// export; looked up once at run time.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Adds "close every descriptor from 3 up" to `actions`. Without glibc's call, closes what is open
    /// now and lacks close-on-exec (a descriptor opened later by another thread may still leak).
    private static func closeDescriptorsFrom3(_ actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom, addCloseFrom(&actions, 3) == 0 { return }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for fd in names.compactMap({ Int32($0) }) where fd > 2 {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    // MARK: - Waiting

    /// Hook timeouts fire on a serial queue of their own, which Dispatch always gives a thread: on the
    /// global queue (as many threads as cores) blocked work elsewhere in the process could delay a kill.
    private static let timeouts = DispatchQueue(label: "orchd.hook-timeouts")

    /// Waits for the shell to exit, killing its process group if it is still running after `timeout`
    /// seconds; collects at most the last `outputLimit` bytes of its output.
    func wait(timeout: Int, outputLimit: Int) async -> Outcome {
        let killer = DispatchWorkItem { [self] in killGroupIfRunning() }
        Self.timeouts.asyncAfter(deadline: .now() + .seconds(max(timeout, 1)), execute: killer)
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let thread = Thread { [self] in continuation.resume(returning: collect(outputLimit: outputLimit)) }
            thread.name = "orchd-hook-\(pid)"
            thread.start()
        }
        killer.cancel()
        return outcome
    }

    /// For an async command: reaps the shell in the background, still killing its group at the timeout.
    func detach(timeout: Int) {
        let killer = DispatchWorkItem { [self] in killGroupIfRunning() }
        Self.timeouts.asyncAfter(deadline: .now() + .seconds(max(timeout, 1)), execute: killer)
        // The timer stays armed; it does nothing once the shell has exited.
        let thread = Thread { [self] in _ = reap() }
        thread.name = "orchd-hook-async-\(pid)"
        thread.start()
    }

    private func killGroupIfRunning() {
        lock.lock()
        defer { lock.unlock() }
        // Not yet reaped, so the group id cannot have been reused.
        guard !exited else { return }
        timedOut = true
        kill(-pid, SIGKILL)
    }

    /// Runs on a dedicated thread: reads output until EOF or until the shell has exited and nothing more
    /// is waiting (a background child may keep the pipe open), then reaps the shell.
    private func collect(outputLimit: Int) -> Outcome {
        var buffer = [UInt8]()
        var truncated = false
        if let fd = outputFD {
            var chunk = [UInt8](repeating: 0, count: 16384)
            reading: while true {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, 50)
                if ready > 0 {
                    let n = read(fd, &chunk, chunk.count)
                    if n > 0 {
                        buffer.append(contentsOf: chunk[0..<n])
                        if buffer.count > outputLimit {
                            buffer.removeFirst(buffer.count - outputLimit)
                            truncated = true
                        }
                        continue
                    }
                    if n < 0 && errno == EINTR { continue }
                    break reading  // EOF or error
                }
                if ready < 0 && errno == EINTR { continue }
                if hasExited() { break reading }
            }
            close(fd)
        }
        let status = reap()
        lock.lock()
        let timedOut = self.timedOut
        lock.unlock()
        let exitCode: Int32? = (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
        let signal: Int32? = exitCode == nil ? status & 0x7f : nil
        return Outcome(exitCode: exitCode, signal: signal, timedOut: timedOut,
                       output: String(decoding: buffer, as: UTF8.self), outputTruncated: truncated)
    }

    /// Whether the shell has exited (without reaping it).
    private func hasExited() -> Bool {
        // Zeroed first: with WNOHANG and no state change the struct is left without a signal number.
        var info = siginfo_t()
        let rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | WNOHANG)
        return rc == 0 && info.si_signo == SIGCHLD
    }

    /// Blocks until the shell exits, marks it exited under the lock, then reaps it; returns the raw status.
    private func reap() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        lock.lock()
        exited = true
        lock.unlock()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }
}
