public import FerryRPC

/// What a caller may do.
public enum Role: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Lists and reads storages and tasks.
    case reader
    /// Everything a reader may do, plus managing storages and starting or cancelling syncs.
    case admin
    /// Worker calls only: claim jobs, heartbeat, hand over results.
    case worker

    public var description: String { rawValue }
}

/// An authenticated caller.
public struct Principal: Sendable, Hashable, CustomStringConvertible {
    /// How the caller proved who it is.
    public enum Credential: String, Sendable, Hashable {
        /// A bearer token from the tokens file.
        case bearerToken = "token"
        /// A client certificate signed by the configured CA.
        case certificate
    }

    /// The caller's name: the token's name, or the certificate's name (a worker id).
    public var name: String
    /// What the caller may do.
    public var role: Role
    /// How it authenticated.
    public var credential: Credential

    /// Creates a principal.
    ///
    /// - Parameters:
    ///   - name: The caller's name.
    ///   - role: Its role.
    ///   - credential: How it authenticated.
    public init(name: String, role: Role, credential: Credential) {
        self.name = name
        self.role = role
        self.credential = credential
    }

    public var description: String { "\(role):\(name) (\(credential.rawValue))" }

    /// The caller of the call the current task serves, set by ``AuthInterceptor``.
    @TaskLocal public static var current: Principal?

    /// The caller of the current call.
    ///
    /// - Returns: The principal.
    /// - Throws: `UNAUTHENTICATED` when no interceptor authenticated the call.
    public static func required() throws -> Principal {
        guard let current else {
            throw RPCError(code: .unauthenticated, message: "The call is not authenticated")
        }
        return current
    }
}

extension Principal {
    /// The identity a verified client certificate carries in its SAN URI `ferry://<role>/<name>`.
    ///
    /// - Parameter peer: The connection's peer, as the transport verified it.
    /// - Returns: The principal, or `nil` when there is no verified certificate with such a URI.
    public static func fromCertificate(_ peer: PeerIdentity) -> Principal? {
        guard peer.isCertificateVerified else { return nil }
        for san in peer.certificateSANs where san.hasPrefix("URI:ferry://") {
            let parts = san.dropFirst("URI:ferry://".count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let role = Role(rawValue: String(parts[0])), !parts[1].isEmpty else { continue }
            return Principal(name: String(parts[1]), role: role, credential: .certificate)
        }
        return nil
    }
}
