extension StorageValidator {
    /// The checks common to create and update.
    func checkSettings(
        _ settings: StorageSettings,
        kind: StorageKind,
        provider: StorageProvider,
        into errors: inout FieldErrors
    ) {
        let limits = self.configuration
        if settings.projectID <= 0 {
            errors.add("project_id", .outOfRange, "must be a positive project id")
        }

        let title = settings.title.trimmingWhitespace
        if title.isEmpty {
            errors.add("title", .required, "must not be empty")
        } else if settings.title.count > limits.maxTitleLength {
            errors.add("title", .tooLong, "must be at most \(limits.maxTitleLength) characters")
        } else if settings.title.unicodeScalars.contains(where: \.isControl) {
            errors.add("title", .invalidFormat, "must be one line without control characters")
        }
        if settings.description.utf8.count > limits.maxDescriptionBytes {
            errors.add("description", .tooLong, "must be at most \(limits.maxDescriptionBytes) bytes")
        }

        if let problem = Self.prefixProblem(settings.prefix, maxBytes: limits.maxPrefixBytes) {
            errors.add("prefix", problem.code, problem.message)
        }
        if settings.regexFilter.utf8.count > limits.maxRegexBytes {
            errors.add("regex_filter", .tooLong, "must be at most \(limits.maxRegexBytes) bytes")
        } else {
            do throws(ValidationError) {
                _ = try KeyFilter(pattern: settings.regexFilter)
            } catch {
                errors.add(contentsOf: error.fieldErrors)
            }
        }

        if settings.useBlobURLs && kind != .import {
            errors.add("use_blob_urls", .notAllowed, "applies to import storages only")
        }
        for (name, isSet) in [
            ("can_delete_objects", settings.canDeleteObjects), ("export_all", settings.exportAll),
            ("export_on_change", settings.exportOnChange),
        ] where isSet && kind != .export {
            errors.add(name, .notAllowed, "applies to export storages only")
        }
        if let datasetID = settings.datasetID {
            if kind != .dataset {
                errors.add("dataset_id", .notAllowed, "applies to dataset storages only")
            } else if datasetID <= 0 {
                errors.add("dataset_id", .outOfRange, "must be a positive dataset id")
            }
        }
        if let ttl = settings.presignTTL, !limits.presignTTLRange.contains(ttl) {
            errors.add(
                "presign_ttl_micros",
                .outOfRange,
                "must be between \(limits.presignTTLRange.lowerBound) and \(limits.presignTTLRange.upperBound)"
            )
        }
        if let interval = settings.syncInterval, !limits.syncIntervalRange.contains(interval) {
            errors.add(
                "sync_interval_micros",
                .outOfRange,
                "must be between \(limits.syncIntervalRange.lowerBound) and \(limits.syncIntervalRange.upperBound), "
                    + "or unset for no periodic sync"
            )
        }

        self.checkLocation(settings.location, provider: provider, into: &errors)
    }

    /// The problem with a key prefix, if any: at most `maxBytes`, no NUL, no leading `/`, no `..`
    /// segment. Empty is fine (the whole location).
    static func prefixProblem(_ prefix: String, maxBytes: Int) -> (code: FieldError.Code, message: String)? {
        if prefix.utf8.count > maxBytes {
            return (.tooLong, "must be at most \(maxBytes) bytes")
        }
        if prefix.utf8.contains(0) {
            return (.invalidFormat, "must not contain NUL")
        }
        if prefix.hasPrefix("/") {
            return (.invalidFormat, "must not start with '/'; it is relative to the bucket, container or path")
        }
        if prefix.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return (.escapesRoot, "must not contain a '..' segment")
        }
        return nil
    }

    /// Checks the secrets sent: only names the provider accepts, no empty or oversized values.
    /// Messages name the secret, never its value.
    func checkSecrets(_ secrets: StorageSecrets, provider: StorageProvider, into errors: inout FieldErrors) {
        let accepted = provider.secretNames
        for (name, value) in secrets.revealedEntries() {
            let field = "credentials.\(name)"
            if !accepted.contains(name) {
                let list = accepted.isEmpty ? "none" : accepted.sorted().joined(separator: ", ")
                errors.add(field, .notAllowed, "is not a secret of provider \(provider) (accepted: \(list))")
            } else if value.isEmpty {
                errors.add(field, .required, "must not be empty; omit a secret to keep the stored one")
            } else if value.utf8.count > self.configuration.maxSecretBytes {
                errors.add(field, .tooLong, "must be at most \(self.configuration.maxSecretBytes) bytes")
            }
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace (Foundation-free).
    var trimmingWhitespace: Substring {
        let scalars = self.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return Substring(scalars[first...last])
    }
}

extension Unicode.Scalar {
    /// A C0 or C1 control character, or DEL.
    var isControl: Bool {
        self.value < 0x20 || (0x7F...0x9F).contains(self.value)
    }
}
