/// The servers a client may use: one or more `host:port` addresses, written comma-separated
/// (`ferryd-a:7443,ferryd-b:7443`). A host name that resolves to several addresses counts as all
/// of them.
public struct ServerAddressList: Sendable, Hashable, CustomStringConvertible {
    /// The addresses in the order given; never empty, no duplicates.
    public let addresses: [ListenAddress]

    /// Parses a comma-separated list of `host:port` addresses.
    ///
    /// - Parameter text: The list; spaces around commas are ignored.
    /// - Throws: ``ListenAddress/ParseError`` naming the first element that is not `host:port`
    ///   (an empty list, or an empty element, included).
    public init(_ text: String) throws {
        var addresses: [ListenAddress] = []
        for element in text.split(separator: ",", omittingEmptySubsequences: false) {
            let address = try ListenAddress(String(element.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()))
            if !addresses.contains(address) { addresses.append(address) }
        }
        self.addresses = addresses
    }

    /// A list of one address.
    public init(_ address: ListenAddress) {
        self.addresses = [address]
    }

    /// The addresses, comma-separated.
    public var description: String { addresses.map(\.description).joined(separator: ",") }
}
