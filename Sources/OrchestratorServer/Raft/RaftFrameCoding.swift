import NIOCore
import OrchestratorCore

/// Frame layout on the wire (all integers little-endian):
///
///     u32 length  (bytes after this field)
///     u8  magic   0xRA-ish marker (0x52), rejects stray connections
///     u8  version 1; a receiver closes connections speaking another version
///     varint+utf8 from, varint+utf8 to
///     payload     (rest of the frame)
enum RaftWire {
    static let magic: UInt8 = 0x52
    static let version: UInt8 = 1
    /// The largest frame a node accepts (and sends). Snapshots travel in one frame, so this bounds the
    /// replicated state: `RaftFrameLimitTests` measures a fleet's worth (100,000 discovered servers, 10,000
    /// downtimes, maintenances and candidates each, a full recovery history) at well under half of it.
    /// Kept this low so that a peer — authenticated or not, when Raft TLS is off — cannot make a node
    /// buffer hundreds of MB; the decoder also closes a connection whose first 6 bytes are not a frame.
    static let defaultMaxFrameSize = 64 << 20

    static func write(_ frame: RaftFrame, into buffer: inout ByteBuffer) {
        var header = RaftBinaryWriter(capacity: 64)
        header.u8(magic)
        header.u8(version)
        header.string(frame.from)
        header.string(frame.to)
        buffer.writeInteger(UInt32(header.bytes.count + frame.payload.count), endianness: .little)
        buffer.writeBytes(header.bytes)
        buffer.writeBytes(frame.payload)
    }

    static func parse(_ body: [UInt8]) throws -> RaftFrame {
        var r = RaftBinaryReader(body)
        let m = try r.u8()
        guard m == magic else { throw RaftDecodeError.invalid("bad magic 0x\(String(m, radix: 16)); not a raft peer") }
        let v = try r.u8()
        guard v == version else { throw RaftDecodeError.invalid("unsupported frame version \(v) (this node speaks \(version)); upgrade all members") }
        let from = try r.string()
        let to = try r.string()
        return RaftFrame(from: from, to: to, payload: Array(body[r.offset...]))
    }
}

/// Splits the inbound byte stream into frames.
struct RaftFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RaftFrame
    let maxFrameSize: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt32.self) else {
            return .needMoreData
        }
        guard Int(length) <= maxFrameSize else {
            throw RaftDecodeError.invalid("frame of \(length) bytes exceeds the \(maxFrameSize)-byte limit")
        }
        // Check the marker and version as soon as they arrive, before buffering the announced length:
        // a stray or hostile connection is closed after 6 bytes, not after up to maxFrameSize.
        if buffer.readableBytes >= 6,
           let marker = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self),
           let version = buffer.getInteger(at: buffer.readerIndex + 5, as: UInt8.self) {
            guard marker == RaftWire.magic else {
                throw RaftDecodeError.invalid("bad magic 0x\(String(marker, radix: 16)); not a raft peer")
            }
            guard version == RaftWire.version else {
                throw RaftDecodeError.invalid("unsupported frame version \(version) (this node speaks \(RaftWire.version)); upgrade all members")
            }
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let body = buffer.readBytes(length: Int(length))!
        context.fireChannelRead(wrapInboundOut(try RaftWire.parse(body)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Turns outbound `RaftFrame`s into bytes.
struct RaftFrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = RaftFrame

    func encode(data: RaftFrame, out: inout ByteBuffer) throws {
        RaftWire.write(data, into: &out)
    }
}
