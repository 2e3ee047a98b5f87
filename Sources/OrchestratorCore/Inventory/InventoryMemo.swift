import Synchronization

/// Results derived from one `Inventory` and shared by every copy of it (an inventory is rebuilt, with a
/// fresh memo, whenever the instances, the intent or the second change). The API keeps each
/// instance's JSON here: encoding dominated reads of `/api/cluster` and friends.
public final class InventoryMemo: Sendable {
    private let encodedInstances = Mutex<[InstanceKey: [UInt8]]>([:])

    public init() {}

    /// The bytes for `key`, made by `make` the first time they are asked for.
    public func encodedInstance(_ key: InstanceKey, _ make: () throws -> [UInt8]) rethrows -> [UInt8] {
        if let known = encodedInstances.withLock({ $0[key] }) { return known }
        let bytes = try make()
        encodedInstances.withLock { $0[key] = bytes }
        return bytes
    }
}
