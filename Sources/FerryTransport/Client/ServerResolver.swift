#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Turns a ``ServerAddressList`` into the socket addresses to try, each with the name its
/// certificate must match.
enum ServerResolver {
    /// One place to connect to.
    struct Candidate: Sendable {
        /// The socket address.
        var address: SocketAddress
        /// The address as configured (`host:port`), for messages and for TLS server names.
        var server: ListenAddress
    }

    /// A host name that did not resolve.
    struct ResolutionError: Error, CustomStringConvertible {
        var host: String
        var reason: String
        var description: String { "cannot resolve '\(host)': \(reason)" }
    }

    /// Every address of every server, in list order; a name resolving to several addresses
    /// gives all of them (`getaddrinfo`, on NIO's thread pool, since it blocks).
    ///
    /// - Returns: The candidates, and the servers that did not resolve with why.
    static func resolve(_ servers: ServerAddressList) async -> (candidates: [Candidate], failures: [String]) {
        var candidates: [Candidate] = []
        var failures: [String] = []
        for server in servers.addresses {
            do {
                let addresses = try await NIOThreadPool.singleton.runIfActive {
                    try addressesOf(host: server.host, port: server.port)
                }
                candidates += addresses.map { Candidate(address: $0, server: server) }
            } catch {
                failures.append("\(server): \(error)")
            }
        }
        return (candidates, failures)
    }

    /// The IPv4 and IPv6 addresses of a host, without duplicates, in `getaddrinfo`'s order.
    static func addressesOf(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            throw ResolutionError(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var next = list
        while let entry = next?.pointee {
            next = entry.ai_next
            guard let raw = entry.ai_addr.map(UnsafeRawPointer.init) else { continue }
            let address: SocketAddress
            switch entry.ai_family {
            case AF_INET: address = SocketAddress(raw.load(as: sockaddr_in.self), host: host)
            case AF_INET6: address = SocketAddress(raw.load(as: sockaddr_in6.self), host: host)
            default: continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        guard !addresses.isEmpty else { throw ResolutionError(host: host, reason: "no IPv4 or IPv6 address") }
        return addresses
    }
}
