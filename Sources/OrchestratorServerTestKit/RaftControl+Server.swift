import OrchestratorServer
import Logging
import NIOCore
import NIOPosix
import OrchestratorCore

/// Serves the `RaftControl` line protocol for one `RaftService` (a `Service`: stops on shutdown).
public final class RaftControlServer: Sendable {
    let service: RaftService
    let address: RaftAddress
    /// Extra `status` fields (e.g. the harness state machine's digest).
    let extraStatus: @Sendable () -> String

    public init(service: RaftService, address: RaftAddress, extraStatus: @escaping @Sendable () -> String = { "" }) {
        self.service = service
        self.address = address
        self.extraStatus = extraStatus
    }

    /// Listens until the calling task is cancelled.
    public func run(group: EventLoopGroup) async throws {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    try ch.pipeline.syncOperations.addHandler(ConnectionHandler(server: self))
                }
            }
            .bind(host: address.host, port: address.port).get()
        defer { server.close(promise: nil) }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    func handle(_ line: String) async -> String {
        let (command, argument) = split(line)
        do {
            switch command {
            case "propose": try await service.propose(Array(argument.utf8))
            case "confirm": try await service.confirmLeadership()
            case "transfer": try await service.transferLeadership(to: argument)
            case "add": try await service.addVoter(argument)
            case "remove": try await service.removeVoter(argument)
            case "snapshot": try await service.takeSnapshot()
            case "status": return await statusLine()
            default: return "err other unknown command '\(command)'"
            }
            return "ok"
        } catch {
            return RaftControl.describe(error)
        }
    }

    private func statusLine() async -> String {
        let s = await service.status()
        var line = "status id=\(s.id) role=\(s.role.rawValue) term=\(s.term) leader=\(s.leader ?? "-")"
        line += " commit=\(s.commitIndex) applied=\(s.appliedIndex) last=\(s.lastIndex) snapshot=\(s.snapshotIndex)"
        line += " quorum=\(s.isPartOfQuorum ? 1 : 0) voters=\(s.voters.joined(separator: ","))"
        let extra = extraStatus()
        return extra.isEmpty ? line : line + " " + extra
    }

    private func split(_ line: String) -> (String, String) {
        guard let sp = line.firstIndex(of: " ") else { return (line, "") }
        return (String(line[..<sp]), String(line[line.index(after: sp)...]))
    }

    /// Requests on one connection are handled one after another, so responses stay in order.
    final class ConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = String
        let server: RaftControlServer
        var lines: AsyncStream<String>.Continuation?

        init(server: RaftControlServer) { self.server = server }

        func channelActive(context: ChannelHandlerContext) {
            let (stream, continuation) = AsyncStream.makeStream(of: String.self)
            lines = continuation
            let channel = context.channel
            let server = server
            Task {
                for await line in stream {
                    let response = await server.handle(line)
                    var buf = channel.allocator.buffer(capacity: response.utf8.count + 1)
                    buf.writeString(response)
                    buf.writeString("\n")
                    channel.writeAndFlush(buf, promise: nil)
                }
            }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            lines?.yield(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            lines?.finish()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
