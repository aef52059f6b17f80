public import FerryCore

extension AzureBlobObjectStore: PresigningStore {
    /// How long before `now` a presigned URL becomes valid, so that a reader whose clock is a
    /// little behind the service's can use it at once.
    public static let presignClockSkew = FerryDuration.minutes(5)

    /// A URL that reads one blob with a plain GET until `now + expiresIn`: the blob's URL with a
    /// read-only service SAS signed by the account key, valid from ``presignClockSkew`` before
    /// `now`, for HTTPS only (HTTPS and HTTP for an `http://` endpoint).
    ///
    /// - Throws: ``ProviderError`` when the storage has only a `sas_token`, which cannot sign.
    public func presignedURL(for key: String, expiresIn: FerryDuration, now: FerryTime) throws -> String {
        guard case .sharedKey(let signer) = client.credentials else {
            throw ProviderError(
                subject: client.subject(key),
                message: "cannot presign with a sas_token; presigned URLs need the account_key secret")
        }
        let endpoint = client.endpoint
        let token = signer.serviceSAS(
            container: endpoint.container, blob: key, start: now - Self.presignClockSkew, expiry: now + expiresIn,
            protocols: endpoint.scheme == "https" ? .https : .httpsAndHTTP)
        return endpoint.url(path: endpoint.path(for: key), query: [], sasToken: token)
    }
}
