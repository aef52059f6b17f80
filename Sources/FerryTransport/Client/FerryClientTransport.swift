public import FerryRPC
public import FerryTLS
public import NIOCore
public import NIOPosix
import Synchronization

/// Ferry's client transport: one TLS connection to one of the configured servers, made on first
/// use and remade after it is lost, with exponential backoff between failed rounds.
///
/// With several servers (replicas sharing state), or a name that resolves to several addresses,
/// each connection attempt tries every address once, starting after the one used last (the
/// first attempt starts at a random one, so clients spread across replicas). A connection lost or
/// told to go away (GOAWAY) is therefore remade to another replica when one answers.
///
/// While a reconnection is backing off, calls fail at once with `UNAVAILABLE` instead of
/// queueing, so callers decide whether to retry.
public final class FerryClientTransport: ClientTransport {
    private enum State {
        case idle(failures: Int, retryAt: ContinuousClock.Instant?)
        case connecting(Task<ClientConnection, any Error>)
        case ready(ClientConnection)
        case closed
    }

    private struct Shared {
        var state = State.idle(failures: 0, retryAt: nil)
        /// Where the next attempt starts in the resolved address list (taken modulo its length).
        var rotation = Int.random(in: 0..<1_000_000)
    }

    private let servers: ServerAddressList
    private let serverHostname: String?
    private let tls: TLSContext
    private let configuration: ClientTransportConfiguration
    private let group: any EventLoopGroup
    private let shared = Mutex(Shared())

    /// Creates a transport over several servers; nothing connects until the first call.
    ///
    /// - Parameters:
    ///   - servers: The servers, any of which may serve every call.
    ///   - serverHostname: The name every server's certificate must match; defaults to each
    ///     server's host as configured.
    ///   - tls: A client TLS context (CA bundle, and a certificate for mTLS).
    ///   - configuration: Limits, timings and backoff.
    ///   - group: The event loops to run on.
    public init(
        servers: ServerAddressList,
        serverHostname: String? = nil,
        tls: TLSContext,
        configuration: ClientTransportConfiguration = ClientTransportConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        precondition(tls.configuration.role == .client, "the client transport needs a client TLS context")
        self.servers = servers
        self.serverHostname = serverHostname
        self.tls = tls
        self.configuration = configuration
        self.group = group
    }

    /// Creates a transport to one server; nothing connects until the first call.
    ///
    /// - Parameters:
    ///   - host: The server's address or name to connect to.
    ///   - port: The server's port.
    ///   - serverHostname: The name the server's certificate must match; defaults to `host`.
    ///   - tls: A client TLS context (CA bundle, and a certificate for mTLS).
    ///   - configuration: Limits, timings and backoff.
    ///   - group: The event loops to run on.
    public convenience init(
        host: String,
        port: Int,
        serverHostname: String? = nil,
        tls: TLSContext,
        configuration: ClientTransportConfiguration = ClientTransportConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.init(
            servers: ServerAddressList(ListenAddress(host: host, port: port)), serverHostname: serverHostname, tls: tls,
            configuration: configuration, group: group)
    }

    public func openStream(descriptor: MethodDescriptor, options: CallOptions, onlyRequest: [UInt8]?) async throws -> any ClientStream {
        let connection = try await currentConnection()
        return try await connection.openStream(descriptor: descriptor, options: options, onlyRequest: onlyRequest)
    }

    public func close() async {
        let previous = shared.withLock { shared -> State in
            defer { shared.state = .closed }
            return shared.state
        }
        switch previous {
        case .ready(let connection):
            await connection.close()
        case .connecting(let task):
            task.cancel()
            if let connection = try? await task.value {
                await connection.close()
            }
        case .idle, .closed:
            break
        }
    }

    /// The largest request message the server accepts, as its SETTINGS on the current
    /// connection announced; `nil` while there is no connection.
    public var serverMaxMessageSize: Int? {
        shared.withLock { shared in
            if case .ready(let connection) = shared.state { return connection.serverMaxMessageSize }
            return nil
        }
    }

    /// Connects now rather than on the first call.
    ///
    /// - Throws: ``RPCError`` `UNAVAILABLE` with the reason when the server cannot be reached.
    public func connect() async throws {
        _ = try await currentConnection()
    }

    private enum NextStep {
        case use(ClientConnection)
        case wait(Task<ClientConnection, any Error>)
        case fail(RPCError)
    }

    private func currentConnection() async throws -> ClientConnection {
        let step = shared.withLock { shared -> NextStep in
            switch shared.state {
            case .ready(let connection) where connection.isUsable:
                return .use(connection)
            case .ready:
                return .wait(startConnecting(&shared, failures: 0))
            case .connecting(let task):
                return .wait(task)
            case .idle(let failures, let retryAt):
                if let retryAt, ContinuousClock.now < retryAt {
                    let message = "Not connected to \(servers); retrying after backoff"
                    return .fail(RPCError(code: .unavailable, message: message))
                }
                return .wait(startConnecting(&shared, failures: failures))
            case .closed:
                return .fail(RPCError(code: .unavailable, message: "The client transport is closed"))
            }
        }
        switch step {
        case .use(let connection):
            return connection
        case .wait(let task):
            return try await task.value
        case .fail(let error):
            throw error
        }
    }

    private func startConnecting(_ shared: inout Shared, failures: Int) -> Task<ClientConnection, any Error> {
        let rotation = shared.rotation
        let task = Task { [self] in
            do {
                let (connection, used) = try await connectToAny(startingAt: rotation)
                let kept = self.shared.withLock { shared -> Bool in
                    guard case .connecting = shared.state else { return false }
                    shared.state = .ready(connection)
                    shared.rotation = used + 1
                    return true
                }
                if !kept {
                    await connection.close()
                    throw RPCError(code: .unavailable, message: "The client transport is closed")
                }
                return connection
            } catch {
                let delay = configuration.backoff.delay(afterFailures: failures + 1)
                self.shared.withLock { shared in
                    if case .connecting = shared.state {
                        shared.state = .idle(failures: failures + 1, retryAt: .now + delay)
                    }
                }
                throw error
            }
        }
        shared.state = .connecting(task)
        return task
    }

    /// Tries every address of every server once, from `rotation` on, and returns the first
    /// connection made with its position in the address list.
    private func connectToAny(startingAt rotation: Int) async throws -> (ClientConnection, Int) {
        let (candidates, unresolved) = await ServerResolver.resolve(servers)
        var reasons = unresolved
        var lastError: (any Error)?
        var refusal: RPCError?
        for step in candidates.indices {
            let index = (rotation + step) % candidates.count
            let candidate = candidates[index]
            do {
                let connection = try await ClientConnection.connect(
                    to: candidate.address,
                    serverHostname: serverHostname ?? candidate.server.host,
                    tls: tls,
                    configuration: configuration,
                    group: group
                )
                return (connection, index)
            } catch {
                try Task.checkCancellation()
                lastError = error
                if let error = error as? RPCError, error.code != .unavailable { refusal = error }
                let ip = candidate.address.ipAddress.map { $0 == candidate.server.host ? "" : " (\($0))" } ?? ""
                reasons.append("\(candidate.server)\(ip): \(error)")
            }
        }
        // A server that answered and refused (UNAUTHENTICATED, say) says more than the others'
        // silence: its answer is the caller's.
        if let refusal { throw refusal }
        throw RPCError(
            code: .unavailable, message: "Could not connect to " + reasons.joined(separator: "; "), cause: lastError)
    }
}
