import Synchronization

/// Results derived from one `Inventory` and shared by every copy of it (an inventory is rebuilt, with a
/// fresh memo, whenever the instances, the intent or the second change). The API keeps each
/// instance's JSON here: encoding dominated reads of `/api/cluster` and friends; and whole answers
/// that cover the fleet (`/api/clusters-info`), which a dashboard or a cron job asks for again and again.
public final class InventoryMemo: Sendable {
    private let encodedInstances = Mutex<[InstanceKey: [UInt8]]>([:])
    private let encodedAnswers = Mutex<[String: [UInt8]]>([:])

    public init() {}

    /// The bytes for `key`, made by `make` the first time they are asked for.
    public func encodedInstance(_ key: InstanceKey, _ make: () throws -> [UInt8]) rethrows -> [UInt8] {
        if let known = encodedInstances.withLock({ $0[key] }) { return known }
        let bytes = try make()
        encodedInstances.withLock { $0[key] = bytes }
        return bytes
    }

    /// A whole answer's bytes, named by `name` (which must say everything the answer depends on besides
    /// this inventory), made by `make` the first time they are asked for.
    public func encodedAnswer(_ name: String, _ make: () throws -> [UInt8]) rethrows -> [UInt8] {
        if let known = encodedAnswers.withLock({ $0[name] }) { return known }
        let bytes = try make()
        encodedAnswers.withLock { $0[name] = bytes }
        return bytes
    }
}
