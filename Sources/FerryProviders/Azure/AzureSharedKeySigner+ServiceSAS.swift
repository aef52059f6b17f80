import FerryCore

extension AzureSharedKeySigner {
    /// Which schemes a SAS allows.
    enum SASProtocols: String, Sendable {
        /// HTTPS only.
        case https
        /// HTTPS or plain HTTP (for an `http://` endpoint such as a local emulator).
        case httpsAndHTTP = "https,http"
    }

    /// The string a read-only blob service SAS signs (service versions 2020-12-06 and later):
    /// `sp`, `st`, `se`, `/blob/account/container/blob` (the name not encoded), the empty
    /// identifier and IP range, `spr`, `sv`, `sr=b`, and empty snapshot time, encryption scope
    /// and response-header overrides.
    func serviceSASStringToSign(
        container: String, blob: String, start: String, expiry: String, protocols: SASProtocols, version: String
    ) -> String {
        [
            "r", start, expiry, "/blob/\(accountName)/\(container)/\(blob)", "", "", protocols.rawValue, version, "b",
            "", "", "", "", "", "", "",
        ].joined(separator: "\n")
    }

    /// A service SAS token that lets its holder read one blob from `start` until `expiry`
    /// (`st=…&se=…&sp=r&spr=…&sv=…&sr=b&sig=…`, values percent-encoded as the SDK does).
    ///
    /// - Parameters:
    ///   - container: The container.
    ///   - blob: The blob's full name.
    ///   - start: When it becomes valid (cut to whole seconds).
    ///   - expiry: When it stops being valid (cut to whole seconds).
    ///   - protocols: The schemes it allows.
    ///   - version: The service version it is signed for.
    /// - Returns: The query string, without `?`.
    func serviceSAS(
        container: String, blob: String, start: FerryTime, expiry: FerryTime, protocols: SASProtocols,
        version: String = AzureSharedKeySigner.apiVersion
    ) -> String {
        let (st, se) = (Self.sasTime(start), Self.sasTime(expiry))
        let signed = serviceSASStringToSign(
            container: container, blob: blob, start: st, expiry: se, protocols: protocols, version: version)
        let fields = [
            ("st", st), ("se", se), ("sp", "r"), ("spr", protocols.rawValue), ("sv", version), ("sr", "b"),
            ("sig", signature(of: signed)),
        ]
        return fields.map { "\($0.0)=\(URIEncoding.path($0.1))" }.joined(separator: "&")
    }

    /// `2026-06-01T12:00:00Z`: whole seconds, UTC.
    private static func sasTime(_ time: FerryTime) -> String {
        FerryTime.unixSeconds(time.unixMicroseconds / 1_000_000).iso8601
    }
}
