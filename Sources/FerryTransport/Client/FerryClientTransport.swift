public import FerryRPC
public import FerryTLS
public import NIOCore
public import NIOPosix
import Synchronization

/// Ferry's client transport: one TLS connection to a server, made on first use and remade
/// after it is lost, with exponential backoff between failed attempts.
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

    private let host: String
    private let port: Int
    private let serverHostname: String
    private let tls: TLSContext
    private let configuration: ClientTransportConfiguration
    private let group: any EventLoopGroup
    private let state = Mutex(State.idle(failures: 0, retryAt: nil))

    /// Creates a transport; nothing connects until the first call.
    ///
    /// - Parameters:
    ///   - host: The server's address or name to connect to.
    ///   - port: The server's port.
    ///   - serverHostname: The name the server's certificate must match; defaults to `host`.
    ///   - tls: A client TLS context (CA bundle, and a certificate for mTLS).
    ///   - configuration: Limits, timings and backoff.
    ///   - group: The event loops to run on.
    public init(
        host: String,
        port: Int,
        serverHostname: String? = nil,
        tls: TLSContext,
        configuration: ClientTransportConfiguration = ClientTransportConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        precondition(tls.configuration.role == .client, "the client transport needs a client TLS context")
        self.host = host
        self.port = port
        self.serverHostname = serverHostname ?? host
        self.tls = tls
        self.configuration = configuration
        self.group = group
    }

    public func openStream(descriptor: MethodDescriptor, options: CallOptions) async throws -> any ClientStream {
        let connection = try await currentConnection()
        return try await connection.openStream(descriptor: descriptor, options: options)
    }

    public func close() async {
        let previous = state.withLock { state -> State in
            defer { state = .closed }
            return state
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
        state.withLock { state in
            if case .ready(let connection) = state { return connection.serverMaxMessageSize }
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
        let step = state.withLock { state -> NextStep in
            switch state {
            case .ready(let connection) where connection.isUsable:
                return .use(connection)
            case .ready:
                return .wait(startConnecting(&state, failures: 0))
            case .connecting(let task):
                return .wait(task)
            case .idle(let failures, let retryAt):
                if let retryAt, ContinuousClock.now < retryAt {
                    let message = "Not connected to \(host):\(port); retrying after backoff"
                    return .fail(RPCError(code: .unavailable, message: message))
                }
                return .wait(startConnecting(&state, failures: failures))
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

    private func startConnecting(_ state: inout State, failures: Int) -> Task<ClientConnection, any Error> {
        let task = Task { [self] in
            do {
                let connection = try await ClientConnection.connect(
                    host: host,
                    port: port,
                    serverHostname: serverHostname,
                    tls: tls,
                    configuration: configuration,
                    group: group
                )
                let kept = self.state.withLock { state -> Bool in
                    guard case .connecting = state else { return false }
                    state = .ready(connection)
                    return true
                }
                if !kept {
                    await connection.close()
                    throw RPCError(code: .unavailable, message: "The client transport is closed")
                }
                return connection
            } catch {
                let delay = configuration.backoff.delay(afterFailures: failures + 1)
                self.state.withLock { state in
                    if case .connecting = state {
                        state = .idle(failures: failures + 1, retryAt: .now + delay)
                    }
                }
                if let error = error as? RPCError { throw error }
                throw RPCError(code: .unavailable, message: "Could not connect to \(host):\(port): \(error)", cause: error)
            }
        }
        state = .connecting(task)
        return task
    }
}
