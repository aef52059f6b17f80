extension StorageValidator {
    /// Checks the provider location: it must be the requested provider's, and its fields sane.
    func checkLocation(_ location: StorageLocation, provider: StorageProvider, into errors: inout FieldErrors) {
        guard location.provider == provider else {
            errors.add(
                Self.locationField(provider),
                .required,
                "must be set for provider \(provider) (a \(location.provider) location was given)"
            )
            return
        }
        switch location {
        case .local(let local):
            self.checkLocal(local, into: &errors)
        case .s3(let s3):
            Self.checkBucketName(s3.bucket, field: "s3.bucket", into: &errors)
            if !s3.region.isEmpty, !Self.isToken(s3.region, maxBytes: 64, extra: "-_") {
                errors.add("s3.region", .invalidFormat, "must be letters, digits, '-' and '_' (e.g. us-east-1)")
            }
            Self.checkEndpoint(s3.endpointURL, field: "s3.endpoint_url", into: &errors)
            if !s3.sseKMSKeyID.isEmpty, !Self.isPrintable(s3.sseKMSKeyID, maxBytes: 2048) {
                errors.add("s3.sse_kms_key_id", .invalidFormat, "must be at most 2048 bytes without whitespace")
            }
        case .gcs(let gcs):
            Self.checkBucketName(gcs.bucket, field: "gcs.bucket", into: &errors)
            if !gcs.project.isEmpty, !Self.isToken(gcs.project, maxBytes: 128, extra: "-_.:") {
                errors.add("gcs.project", .invalidFormat, "must be a Google Cloud project id")
            }
            Self.checkEndpoint(gcs.endpointURL, field: "gcs.endpoint_url", into: &errors)
        case .azureBlob(let azure):
            Self.checkBucketName(azure.container, field: "azure_blob.container", into: &errors)
            if azure.accountName.isEmpty {
                errors.add("azure_blob.account_name", .required, "must not be empty")
            } else if !Self.isToken(azure.accountName, maxBytes: 64, extra: "") {
                errors.add("azure_blob.account_name", .invalidFormat, "must be letters and digits only")
            }
            Self.checkEndpoint(azure.endpointURL, field: "azure_blob.endpoint_url", into: &errors)
        case .redis(let redis):
            if redis.host.isEmpty {
                errors.add("redis.host", .required, "must not be empty")
            } else if !Self.isToken(redis.host, maxBytes: 253, extra: "-_.:[]") {
                errors.add("redis.host", .invalidFormat, "must be a host name or an IP address")
            }
            if !(0...65535).contains(redis.port) {
                errors.add("redis.port", .outOfRange, "must be between 1 and 65535, or 0 for 6379")
            }
            if !(0...Int(Int32.max)).contains(redis.database) {
                errors.add("redis.db", .outOfRange, "must not be negative")
            }
        }
    }

    private func checkLocal(_ local: LocalLocation, into errors: inout FieldErrors) {
        guard let root = self.configuration.localFilesRoot else {
            errors.add(
                "local.path",
                .notAllowed,
                "local storages are disabled: the server has no local-files root configured"
            )
            return
        }
        do throws(ValidationError) {
            _ = try root.resolve(local.path)
        } catch {
            errors.add(contentsOf: error.fieldErrors)
        }
    }

    private static func checkBucketName(_ name: String, field: String, into errors: inout FieldErrors) {
        if name.isEmpty {
            errors.add(field, .required, "must not be empty")
        } else if !Self.isToken(name, maxBytes: 255, extra: "-_.") {
            errors.add(field, .invalidFormat, "must be at most 255 letters, digits, '.', '-' and '_'")
        }
    }

    private static func checkEndpoint(_ endpoint: String, field: String, into errors: inout FieldErrors) {
        guard !endpoint.isEmpty, let problem = EndpointURL.problem(with: endpoint) else { return }
        errors.add(field, problem.code, problem.message)
    }

    /// Whether `text` is 1...`maxBytes` bytes of ASCII letters, digits and the `extra` characters.
    private static func isToken(_ text: String, maxBytes: Int, extra: String) -> Bool {
        !text.isEmpty && text.utf8.count <= maxBytes
            && text.allSatisfy { $0.isASCIIAlphanumeric || extra.contains($0) }
    }

    /// Whether `text` is at most `maxBytes` bytes without whitespace or control characters.
    private static func isPrintable(_ text: String, maxBytes: Int) -> Bool {
        text.utf8.count <= maxBytes
            && !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.isControl }
    }

    /// The `StorageSpec` field that holds a provider's location.
    private static func locationField(_ provider: StorageProvider) -> String {
        switch provider {
        case .local: "local"
        case .s3: "s3"
        case .gcs: "gcs"
        case .azureBlob: "azure_blob"
        case .redis: "redis"
        }
    }
}
