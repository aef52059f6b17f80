import FerryCore

/// How requests to a container are authorized, from the storage's secrets: the `account_key`
/// signs each request (Shared Key) and can presign reads (service SAS); a `sas_token` alone is
/// appended to every request's query and cannot presign. With both, the account key is used.
enum AzureCredentials: Sendable {
    /// Shared Key signing with the account key.
    case sharedKey(AzureSharedKeySigner)
    /// A SAS token (`sv=…&sig=…`, without `?`), sent as it is.
    case sasToken(String)

    /// Reads the secrets.
    ///
    /// - Parameters:
    ///   - secrets: The storage's secrets.
    ///   - accountName: The storage account.
    ///   - subject: What to name in errors (`azure-blob://container`).
    /// - Throws: ``ProviderError`` when neither secret is set or the key is not base64.
    init(secrets: StorageSecrets, accountName: String, subject: String) throws {
        if let key = secrets.revealValue(named: "account_key"), !key.isEmpty {
            self = .sharedKey(try AzureSharedKeySigner(accountName: accountName, base64Key: key, subject: subject))
        } else if let token = secrets.revealValue(named: "sas_token"), !token.isEmpty {
            self = .sasToken(token.hasPrefix("?") ? String(token.dropFirst()) : token)
        } else {
            throw ProviderError(subject: subject, message: "needs an account_key or a sas_token secret")
        }
    }
}
