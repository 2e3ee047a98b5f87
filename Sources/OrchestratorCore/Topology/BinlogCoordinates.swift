/// A position in a binary or relay log: file name plus byte offset.
///
/// JSON shape is upstream's: `{"LogFile":"mysql-bin.000012","LogPos":1234,"Type":0}` where `Type` is
/// 0 for a binary log and 1 for a relay log.
public struct BinlogCoordinates: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// Which kind of log the coordinates point into.
    public enum LogType: Int, Sendable, Hashable, Codable {
        case binary = 0
        case relay = 1
    }

    public var logFile: String
    public var logPos: Int64
    public var type: LogType

    public init(logFile: String = "", logPos: Int64 = 0, type: LogType = .binary) {
        self.logFile = logFile
        self.logPos = logPos
        self.type = type
    }

    /// True when no file is known (a server without binary logs, or not a replica).
    public var isEmpty: Bool { logFile.isEmpty }

    /// `file:pos`, as upstream displays coordinates.
    public var description: String { "\(logFile):\(logPos)" }

    /// The file name, ordered by its numeric suffix (see ``BinlogFileName``).
    public var fileName: BinlogFileName { BinlogFileName(logFile) }

    /// The file name without its numeric suffix (`mysql-bin` for `mysql-bin.000012`).
    public var fileBaseName: Substring { fileName.baseName }

    /// The numeric suffix of the file name (12 for `mysql-bin.000012`), nil when there is none.
    public var fileNumber: Int? { fileName.number.flatMap { Int(exactly: $0) } }

    // MARK: - Ordering

    /// Orders by file (``BinlogFileName``: numeric suffix when both names share a base name, so
    /// `.000010` follows `.000009` even when widths differ) and then by position.
    public static func < (lhs: BinlogCoordinates, rhs: BinlogCoordinates) -> Bool {
        if lhs.logFile != rhs.logFile { return lhs.fileName < rhs.fileName }
        return lhs.logPos < rhs.logPos
    }

    /// True when both point into the same file (positions may differ).
    public func isSameFile(as other: BinlogCoordinates) -> Bool { logFile == other.logFile }

    /// How many files `other` is ahead of this (0 when same file; nil when not comparable by number).
    public func fileDistance(to other: BinlogCoordinates) -> Int? {
        guard fileBaseName == other.fileBaseName, let l = fileNumber, let r = other.fileNumber else { return nil }
        return r - l
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case logFile = "LogFile"
        case logPos = "LogPos"
        case type = "Type"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        logFile = try c.decodeIfPresent(String.self, forKey: .logFile) ?? ""
        logPos = try c.decodeIfPresent(Int64.self, forKey: .logPos) ?? 0
        type = try c.decodeIfPresent(LogType.self, forKey: .type) ?? .binary
    }
}
