@testable import FerryProviders
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A minimal OAuth token endpoint on a free 127.0.0.1 port, standing in for Google's
/// `token_uri`: it takes `POST` forms with `grant_type` and `assertion`, checks the assertion's
/// RS256 signature with the test key's public half and its claims, and answers a new token
/// (`token-1`, `token-2`, …) valid for ``lifetime`` seconds, or 400 `invalid_grant`.
final class LoopbackTokenEndpoint: Sendable {
    /// How long the tokens it hands out are valid, in seconds.
    static let lifetime: Int64 = 3600

    /// Its URL (`http://127.0.0.1:PORT/token`).
    let url: String
    private let channel: any Channel
    private let state: Ledger

    struct State {
        var exchanges = 0
        var claims: [GCSTokenClaims] = []
    }

    /// What the endpoint has handed out, shared with its connections.
    final class Ledger: Sendable {
        let mutex = Mutex(State())
    }

    /// How many tokens it has handed out.
    var exchanges: Int { state.mutex.withLock { $0.exchanges } }
    /// The claims of every accepted assertion.
    var claims: [GCSTokenClaims] { state.mutex.withLock { $0.claims } }

    /// Starts an endpoint that accepts assertions signed by the key with `publicKeyPEM`.
    static func start(publicKeyPEM: String) async throws -> LoopbackTokenEndpoint {
        let keys = await JWTKeyCollection().add(rsa: try Insecure.RSA.PublicKey(pem: publicKeyPEM), digestAlgorithm: .sha256)
        let state = Ledger()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(keys: keys, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        return LoopbackTokenEndpoint(url: "http://127.0.0.1:\(port)/token", channel: channel, state: state)
    }

    private init(url: String, channel: any Channel, state: Ledger) {
        self.url = url
        self.channel = channel
        self.state = state
    }

    /// Stops listening.
    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let keys: JWTKeyCollection
        private let state: Ledger
        private var body: [UInt8] = []

        init(keys: JWTKeyCollection, state: Ledger) {
            self.keys = keys
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                body = []
            case .body(let buffer):
                body += buffer.readableBytesView
            case .end:
                let form = String(decoding: body, as: UTF8.self)
                let loop = context.eventLoop
                let bound = NIOLoopBound(context, eventLoop: loop)
                let promise = loop.makePromise(of: (HTTPResponseStatus, String).self)
                promise.completeWithTask { [keys, state] in await Self.answer(form: form, keys: keys, state: state) }
                promise.futureResult.whenSuccess { status, json in
                    let context = bound.value
                    var headers = HTTPHeaders()
                    headers.add(name: "content-type", value: "application/json")
                    headers.add(name: "content-length", value: "\(json.utf8.count)")
                    context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                    context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: json)))), promise: nil)
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }

        private static func answer(form: String, keys: JWTKeyCollection, state: Ledger) async -> (HTTPResponseStatus, String) {
            var fields: [String: String] = [:]
            for pair in form.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            guard fields["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = fields["assertion"] else {
                return (.badRequest, #"{"error":"unsupported_grant_type","error_description":"Invalid grant_type."}"#)
            }
            do {
                let claims = try await keys.verify(assertion, as: GCSTokenClaims.self)
                let number = state.mutex.withLock { state in
                    state.exchanges += 1
                    state.claims.append(claims)
                    return state.exchanges
                }
                return (.ok, #"{"access_token":"token-\#(number)","expires_in":\#(LoopbackTokenEndpoint.lifetime),"token_type":"Bearer"}"#)
            } catch {
                return (.badRequest, #"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#)
            }
        }
    }
}
