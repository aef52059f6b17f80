import FerryRPC
import FerryServices
import Synchronization
import Testing

@Suite("Authentication and roles")
struct AuthInterceptorTests {
    static let list = MethodDescriptor(service: "ferry.v1.StorageService", method: "ListStorages")
    static let create = MethodDescriptor(service: "ferry.v1.StorageService", method: "CreateStorage")
    static let acquire = MethodDescriptor(service: "ferry.v1.WorkerService", method: "AcquireJob")
    static let health = MethodDescriptor(service: "ferry.v1.Health", method: "Check")

    let interceptor: AuthInterceptor = {
        let tokens = try! BearerTokenRegistry(
            parsing: """
                # ops tokens
                \(BearerTokenRegistry.line(forToken: "reader-token", role: .reader, name: "dashboard"))
                \(BearerTokenRegistry.line(forToken: "admin-token", role: .admin, name: "platform-api"))
                """
        )
        var policy = AccessPolicy()
        policy.allowUnauthenticated(service: "ferry.v1.Health")
        policy.allow([.admin], service: "ferry.v1.StorageService")
        policy.allow([.reader, .admin], method: list)
        policy.allow([.worker], service: "ferry.v1.WorkerService")
        return AuthInterceptor(tokens: tokens, policy: policy)
    }()

    private func call(
        _ method: MethodDescriptor,
        token: String? = nil,
        sans: [String]? = nil
    ) async -> Result<Principal?, RPCError> {
        var metadata = Metadata()
        if let token { metadata.add("Bearer \(token)", forKey: "authorization") }
        let peer = PeerIdentity(address: "test", certificateSubject: sans == nil ? nil : "/CN=x", certificateSANs: sans ?? [])
        let context = ServerContext(descriptor: method, metadata: metadata, peer: peer, deadline: nil)
        let seen = Mutex<Principal?>(nil)
        do {
            try await interceptor.intercept(context: context) { _ in seen.withLock { $0 = Principal.current } }
            return .success(seen.withLock { $0 })
        } catch {
            return .failure(RPCError.from(error))
        }
    }

    private func code(_ result: Result<Principal?, RPCError>) -> Status.Code {
        switch result {
        case .success: .ok
        case .failure(let error): error.code
        }
    }

    @Test("No credentials: UNAUTHENTICATED; an unknown token: UNAUTHENTICATED")
    func unauthenticated() async {
        #expect(code(await call(Self.list)) == .unauthenticated)
        #expect(code(await call(Self.list, token: "guess")) == .unauthenticated)
    }

    @Test("A token of the wrong role: PERMISSION_DENIED; the right role passes with its principal")
    func roles() async throws {
        #expect(code(await call(Self.create, token: "reader-token")) == .permissionDenied)
        #expect(code(await call(Self.list, token: "reader-token")) == .ok)
        let admin = await call(Self.create, token: "admin-token")
        #expect(try admin.get() == Principal(name: "platform-api", role: .admin, credential: .bearerToken))
    }

    @Test("A worker certificate may call worker methods and nothing else")
    func workerCertificate() async throws {
        let sans = ["DNS:worker-host", "URI:ferry://worker/worker-1"]
        let acquired = await call(Self.acquire, sans: sans)
        #expect(try acquired.get() == Principal(name: "worker-1", role: .worker, credential: .certificate))
        #expect(code(await call(Self.create, sans: sans)) == .permissionDenied)
        #expect(code(await call(Self.acquire, token: "admin-token")) == .permissionDenied)
    }

    @Test("Health needs no credentials")
    func openService() async {
        #expect(code(await call(Self.health)) == .ok)
    }

    @Test("An invalid token is refused even alongside a valid certificate")
    func tokenWins() async {
        #expect(code(await call(Self.acquire, token: "nope", sans: ["URI:ferry://worker/w"])) == .unauthenticated)
    }

    @Test("Malformed token files name the line")
    func tokenFileErrors() {
        #expect(throws: TokenFileError.self) { try BearerTokenRegistry(parsing: "sha256:abc admin x") }
        let error = #expect(throws: TokenFileError.self) {
            try BearerTokenRegistry(parsing: "# ok\n\nnot a line")
        }
        #expect(error?.line == 3)
        #expect(throws: TokenFileError.self) {
            try BearerTokenRegistry(parsing: BearerTokenRegistry.line(forToken: "t", role: .worker, name: "w"))
        }
    }
}
