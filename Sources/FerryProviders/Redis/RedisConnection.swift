import FerryCore
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One logged-in connection to a Redis database: TCP (or TLS), `AUTH`, then `SELECT`.
///
/// Commands sent through it are pipelined: they go out as soon as they are sent and their
/// replies come back in order, whoever sent them. Each command has its own timeout; when one
/// passes, the connection is closed and every command still waiting fails, since a late reply
/// would otherwise be taken for the next command's.
final class RedisConnection: Sendable {
    /// The TCP (or TLS) channel; internal so that tests can wait for its close.
    let channel: any Channel
    private let commandTimeout: TimeAmount
    private let failure: RedisConnectionFailure

    private init(channel: any Channel, commandTimeout: TimeAmount, failure: RedisConnectionFailure) {
        self.channel = channel
        self.commandTimeout = commandTimeout
        self.failure = failure
    }

    /// Whether the connection can still carry commands.
    var isActive: Bool {
        channel.isActive
    }

    /// Connects and logs in.
    ///
    /// - Parameters:
    ///   - endpoint: The server, database and credentials.
    ///   - group: The event loops to run on.
    /// - Returns: The connection, ready for commands.
    /// - Throws: ``ProviderError`` naming the endpoint: the connection failed, or `AUTH` or
    ///   `SELECT` was refused (with the server's code, e.g. `WRONGPASS`).
    static func connect(to endpoint: RedisEndpoint, group: any EventLoopGroup) async throws -> RedisConnection {
        let tls = try endpoint.useTLS ? makeTLSContext(endpoint) : nil
        let serverName = endpoint.host.isIPAddress ? nil : endpoint.host
        let maxReplyBytes = endpoint.maxReplyBytes
        let failure = RedisConnectionFailure()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(endpoint.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try pipeline.addHandler(ByteToMessageHandler(RESPReplyDecoder(maxReplyBytes: maxReplyBytes)))
                    try pipeline.addHandler(MessageToByteHandler(RESPCommandEncoder()))
                    try pipeline.addHandler(RedisRequestHandler(failure: failure))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw ProviderError(subject: "\(endpoint)", message: "cannot connect: \(describe(error))")
        }
        let connection = RedisConnection(channel: channel, commandTimeout: endpoint.commandTimeout, failure: failure)
        do {
            try await connection.logIn(endpoint)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Sends commands in one write and waits for all their replies.
    ///
    /// - Parameter commands: The commands, in order.
    /// - Returns: Each command's reply (an error reply is a `.error` value), or the connection's
    ///   error for the commands it failed.
    func send(_ commands: [RedisCommand]) async -> [Result<RESPValue, any Error>] {
        let loop = channel.eventLoop
        let replies = commands.map { _ in loop.makePromise(of: RESPValue.self) }
        let (channel, timeout, failure) = (self.channel, commandTimeout, self.failure)
        loop.execute {
            for (command, reply) in zip(commands, replies) {
                let timer = loop.scheduleTask(in: timeout) {
                    channel.pipeline.fireErrorCaught(RedisConnectionError.timedOut(timeout))
                }
                reply.futureResult.whenComplete { _ in timer.cancel() }
                let written = loop.makePromise(of: Void.self)
                // A write refused before it reached the handler (a closed channel) fails the reply
                // too, with the error that closed the connection when there was one.
                written.futureResult.whenFailure { reply.fail(failure.error ?? $0) }
                channel.write(RedisRequest(command: command, reply: reply), promise: written)
            }
            channel.flush()
        }
        var results: [Result<RESPValue, any Error>] = []
        results.reserveCapacity(replies.count)
        for reply in replies {
            do {
                results.append(.success(try await reply.futureResult.get()))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Sends one command and waits for its reply.
    ///
    /// - Throws: The connection's error; an error reply is returned, not thrown.
    func send(_ command: RedisCommand) async throws -> RESPValue {
        try await send([command])[0].get()
    }

    /// Closes the connection; commands still waiting fail.
    func close() {
        channel.close(promise: nil)
    }

    private func logIn(_ endpoint: RedisEndpoint) async throws {
        if let password = endpoint.password {
            let auth = endpoint.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password)
            // The username is a secret value too: say which secrets were used, not what they hold.
            let what = endpoint.username == nil ? "AUTH with the password" : "AUTH with the username and password"
            try await expectOK(auth, what: what, endpoint)
        }
        if endpoint.database != 0 {
            try await expectOK(RedisCommand("SELECT", "\(endpoint.database)"), what: "SELECT \(endpoint.database)", endpoint)
        }
    }

    private func expectOK(_ command: RedisCommand, what: String, _ endpoint: RedisEndpoint) async throws {
        let reply: RESPValue
        do {
            reply = try await send(command)
        } catch {
            throw ProviderError(subject: "\(endpoint)", message: "\(what) failed: \(Self.describe(error))")
        }
        switch reply {
        case .simpleString:
            return
        case .error(let refusal):
            throw ProviderError(subject: "\(endpoint)", message: "\(what) refused: \(refusal.message)", code: refusal.code)
        default:
            throw ProviderError(subject: "\(endpoint)", message: "\(what): unexpected reply \(reply.kind)")
        }
    }

    private static func makeTLSContext(_ endpoint: RedisEndpoint) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let file = endpoint.trustedCAFile {
            configuration.additionalTrustRoots = [.file(file)]
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ProviderError(subject: "\(endpoint)", message: "cannot set up TLS: \(error)")
        }
    }

    /// A connection-level error in words: `Connection refused`, not NIO's type dump.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            if let failure = error.dnsAAAAError ?? error.dnsAError { return "cannot resolve the host: \(failure)" }
            return "\(error)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case ChannelError.connectTimeout(let timeout):
            return "no connection within \(Double(timeout.nanoseconds) / 1e9) s"
        case NIOSSLError.handshakeFailed(.sslError(let stack)):
            // "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at file:line"
            let reasons = stack.map { message in
                let text = "\(message)"
                let head = text.split(separator: " at ", maxSplits: 1).first ?? text[...]
                return String(head.split(separator: ":").last ?? head)
            }
            return "TLS handshake failed: " + reasons.joined(separator: ", ")
        case let error as NIOSSLError:
            return "TLS failed: \(error)"
        default:
            return "\(error)"
        }
    }
}

extension RESPValue {
    /// The reply's type, for messages about unexpected replies.
    var kind: String {
        switch self {
        case .simpleString: "a status"
        case .error: "an error"
        case .integer: "an integer"
        case .bulkString(let value): value == nil ? "a null bulk string" : "a bulk string"
        case .array(let value): value == nil ? "a null array" : "an array"
        }
    }
}

extension String {
    /// Whether this is an IPv4 or IPv6 literal (TLS sends no server name for those).
    fileprivate var isIPAddress: Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
    }
}
