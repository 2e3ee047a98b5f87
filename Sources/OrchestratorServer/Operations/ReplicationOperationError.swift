import OrchestratorCore

/// A replication operation failed on one instance. The description names the instance, the operation,
/// the kind of statement (never its values, so never a password) and the server's error code and message.
public struct ReplicationOperationError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The server or the client library answered with an error (see ``ReplicationOperationError/code``).
        case mysql
        /// The operation is not possible on this server (e.g. MySQL-only feature on MariaDB).
        case unsupported
        /// A value given to the operation is not acceptable (e.g. a hostname with a quote).
        case invalidValue
        /// The instance is not in the state the operation needs (e.g. not a replica).
        case unexpectedState
        /// A wait did not finish in time.
        case timeout
    }

    /// The instance the operation ran on.
    public let instance: InstanceKey
    /// The operation, e.g. `change-master`, `stop-replica`.
    public let operation: String
    /// The statement that failed, by kind (`CHANGE MASTER TO`), or nil when none ran.
    public let statementKind: String?
    public let reason: Reason
    /// MySQL error number for `.mysql` (e.g. 1198, 2003), else nil.
    public let code: UInt32?
    public let message: String

    public init(
        instance: InstanceKey, operation: String, statementKind: String? = nil, reason: Reason, code: UInt32? = nil,
        message: String
    ) {
        self.instance = instance
        self.operation = operation
        self.statementKind = statementKind
        self.reason = reason
        self.code = code
        self.message = message
    }

    public var description: String {
        var text = "\(instance.displayString): \(operation) failed"
        if let statementKind { text += " at \(statementKind)" }
        if let code { text += ": MySQL error \(code)" }
        return text + ": " + message
    }
}

extension ReplicationOperationError {
    /// Wraps any error thrown inside an operation, keeping an existing operation error as it is.
    static func wrap(
        _ error: any Error, instance: InstanceKey, operation: String, statementKind: String?
    ) -> ReplicationOperationError {
        switch error {
        case let e as ReplicationOperationError:
            return e
        case let e as MySQLError:
            return ReplicationOperationError(
                instance: instance, operation: operation, statementKind: statementKind, reason: .mysql,
                code: e.code == 0 ? nil : e.code, message: e.message)
        case let e as ReplicationSQLError:
            let reason: Reason
            switch e {
            case .unsupported: reason = .unsupported
            case .invalidValue: reason = .invalidValue
            }
            return ReplicationOperationError(
                instance: instance, operation: operation, statementKind: statementKind, reason: reason, message: e.description)
        default:
            return ReplicationOperationError(
                instance: instance, operation: operation, statementKind: statementKind, reason: .unexpectedState,
                message: String(describing: error))
        }
    }
}
