internal import COpenSSL

/// SHA-256, used to store bearer tokens as digests rather than in the clear.
public enum SHA256 {
    /// The digest of `bytes`.
    ///
    /// - Parameter bytes: The input.
    /// - Returns: 32 bytes.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBufferPointer { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, EVP_sha256(), nil)
        }
        // EVP_Digest with a built-in algorithm fails only if memory allocation fails.
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed")
        return output
    }

    /// The digest of a string's UTF-8 bytes, as lower-case hex.
    ///
    /// - Parameter text: The input.
    /// - Returns: 64 hex characters.
    public static func hexDigest(_ text: String) -> String {
        Hex.encode(digest(Array(text.utf8)))
    }

    /// Compares two byte strings in time that does not depend on where they differ.
    ///
    /// - Parameters:
    ///   - lhs: One value.
    ///   - rhs: The other.
    /// - Returns: Whether they are equal.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return CRYPTO_memcmp(lhs, rhs, lhs.count) == 0
    }
}
