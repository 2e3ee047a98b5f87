import CMariaDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The linked libmariadb client library: version, and its process- and thread-level initialisation.
///
/// libmariadb wants `mysql_library_init` once per process before any other call (it is not thread-safe
/// when left to `mysql_init`), and `mysql_thread_init`/`mysql_thread_end` around its use on each thread.
/// Every blocking call of ``MySQLConnection`` runs through ``MySQLClientLibrary/prepareCurrentThread()``.
public enum MySQLClientLibrary {
    /// Version string of the linked libmariadb client library.
    public static var version: String { String(cString: mysql_get_client_info()) }

    /// Runs `mysql_library_init` exactly once (Swift initialises globals once, thread-safely).
    static func initialize() { _ = libraryInitialized }

    /// Initialises libmariadb for the calling thread once; `mysql_thread_end` runs when the thread exits.
    static func prepareCurrentThread() {
        initialize()
        guard pthread_getspecific(threadKey.value) == nil else { return }
        _ = mysql_thread_init()
        // Any non-nil value marks the thread; the key's destructor calls mysql_thread_end on exit.
        pthread_setspecific(threadKey.value, UnsafeRawPointer(bitPattern: 1))
    }
}

// MARK: - Once-only state

private let libraryInitialized: Bool = {
    // mysql_library_init is a macro for mysql_server_init in <mysql.h>.
    mysql_server_init(0, nil, nil) == 0
}()

private struct ThreadKey: @unchecked Sendable { var value: pthread_key_t }

private let threadKey: ThreadKey = {
    var key = pthread_key_t()
    pthread_key_create(&key) { _ in mysql_thread_end() }
    return ThreadKey(value: key)
}()
