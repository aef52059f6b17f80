import FerryCrypto
import Testing

@Suite("Crypto")
struct FerryCryptoTests {
    @Test("SHA-256 matches the FIPS 180-2 test vector")
    func sha256() {
        #expect(SHA256.hexDigest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("Hex round-trips and rejects non-hex")
    func hex() {
        #expect(Hex.decode(Hex.encode([0, 1, 0xAB, 0xFF])) == [0, 1, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test("A sealed secret opens with the same key and context, and only then")
    func sealing() throws {
        let box = try SecretBox(key: SecureRandom.bytes(32))
        let secret = Array("s3cr3t-access-key".utf8)
        let sealed = try box.seal(secret, associatedData: Array("storage/7/password".utf8))
        #expect(!sealed.indices.dropLast(secret.count).contains { Array(sealed[$0..<($0 + secret.count)]) == secret })
        #expect(try box.open(sealed, associatedData: Array("storage/7/password".utf8)) == secret)
        #expect(try box.seal(secret) != box.seal(secret))  // Fresh nonce every time.

        let wrongPlace = #expect(throws: CryptoError.self) {
            try box.open(sealed, associatedData: Array("storage/8/password".utf8))
        }
        #expect(wrongPlace?.code == .authenticationFailed)
        var tampered = sealed
        tampered[20] ^= 1
        #expect(throws: CryptoError.self) { try box.open(tampered, associatedData: Array("storage/7/password".utf8)) }
        let otherKey = try SecretBox(key: SecureRandom.bytes(32))
        #expect(throws: CryptoError.self) { try otherKey.open(sealed, associatedData: Array("storage/7/password".utf8)) }
        #expect(throws: CryptoError.self) { try box.open([1, 2, 3]) }
        #expect(try box.open(box.seal([])) == [])
    }

    @Test("A key of the wrong size is refused")
    func keySize() {
        #expect(throws: CryptoError.self) { try SecretBox(key: [1, 2, 3]) }
    }

    @Test("Tokens are random hex of the requested size")
    func tokens() {
        let token = SecureRandom.hexToken(byteCount: 16)
        #expect(token.count == 32)
        #expect(token != SecureRandom.hexToken(byteCount: 16))
        #expect(SHA256.constantTimeEquals([1, 2], [1, 2]))
        #expect(!SHA256.constantTimeEquals([1, 2], [1, 3]))
    }
}
