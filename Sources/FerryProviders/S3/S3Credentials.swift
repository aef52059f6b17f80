public import FerryCore

/// The keys an S3 request is signed with, from a storage's secrets `access_key_id`,
/// `secret_access_key` and the optional `session_token` (temporary credentials).
///
/// Its textual forms never show the secret key or the token.
public struct S3Credentials: Sendable, CustomStringConvertible, CustomReflectable {
    /// The access key id (not secret: it appears in every request's `Authorization`).
    public var accessKeyID: String
    /// The secret access key.
    var secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`.
    var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The credentials in a storage's secrets.
    ///
    /// - Parameters:
    ///   - secrets: The storage's secrets.
    ///   - subject: The storage (`s3://bucket`), for the error.
    /// - Throws: ``ProviderError`` when `access_key_id` or `secret_access_key` is missing or empty.
    public init(secrets: StorageSecrets, subject: String) throws {
        guard let accessKeyID = secrets.revealValue(named: "access_key_id"), !accessKeyID.isEmpty,
            let secretAccessKey = secrets.revealValue(named: "secret_access_key"), !secretAccessKey.isEmpty
        else {
            throw ProviderError(
                subject: subject,
                message: "the storage needs the secrets access_key_id and secret_access_key (it has: \(secrets.names))"
            )
        }
        self.init(
            accessKeyID: accessKeyID, secretAccessKey: secretAccessKey,
            sessionToken: secrets.revealValue(named: "session_token"))
    }

    /// The access key id only.
    public var description: String {
        "S3Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }

    /// A mirror without the secret key or the token, so `dump` never prints them.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID, "secretAccessKey": "<redacted>"], displayStyle: .struct)
    }
}
