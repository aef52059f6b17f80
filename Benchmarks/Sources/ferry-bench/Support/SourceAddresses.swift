import ArgumentParser
import NIOCore
import Synchronization

/// Loopback source addresses that the measuring process's connections are spread over, in turn.
///
/// One source address reaches one server address from about 28,000 ephemeral ports (Linux's
/// default `ip_local_port_range`); connections made from `127.0.0.1`…`127.0.0.N` have that many
/// each. With one address the kernel chooses, as a client that binds nothing does.
final class SourceAddresses: Sendable {
    private let addresses: [SocketAddress]
    private let next = Atomic<Int>(0)

    /// No binding: the kernel chooses every connection's source address.
    static let kernelChoice = SourceAddresses(addresses: [])

    private init(addresses: [SocketAddress]) {
        self.addresses = addresses
    }

    /// Spreads over `127.0.0.1`…`127.0.0.count`.
    ///
    /// - Throws: ``BenchError`` unless `count` is 1…254.
    init(count: Int) throws {
        guard (1...254).contains(count) else { throw BenchError("--source-addresses must be 1…254, not \(count)") }
        addresses = count == 1 ? [] : try (1...count).map { try SocketAddress(ipAddress: "127.0.0.\($0)", port: 0) }
    }

    /// The source address of the next connection, or `nil` for the kernel's choice.
    func nextAddress() -> SocketAddress? {
        guard !addresses.isEmpty else { return nil }
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return addresses[index % addresses.count]
    }

    /// How many addresses connections come from, for report headers.
    var count: Int { max(1, addresses.count) }
}

/// `--source-addresses`, shared by the subcommands that open many connections.
struct SourceAddressOptions: ParsableArguments {
    @Option(help: "Spread the client's connections over this many loopback source addresses (127.0.0.1…127.0.0.N), each with its own ephemeral ports; 1 lets the kernel choose.")
    var sourceAddresses = 1

    /// The spread these options ask for.
    func make() throws -> SourceAddresses {
        try SourceAddresses(count: sourceAddresses)
    }
}
