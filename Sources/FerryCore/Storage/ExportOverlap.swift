/// The guard against an export storage writing where an import storage of the same project
/// scans: the import would turn the export's own output into tasks on its next sync.
///
/// An export writes exactly the keys `<prefix>/<task id>.json`. An import sees a key when it is
/// under its prefix (recursive scan) or directly in it (not recursive). So the two overlap when
/// they name the same place (same provider and bucket, container, directory or Redis database,
/// at the same endpoint) and the export's folder is the import's folder, or lies below it for a
/// recursive import. The import's regex filter is not considered: a filter can be changed later.
public enum ExportOverlap {
    /// The first import storage whose scan would see what `export` writes.
    ///
    /// - Parameters:
    ///   - export: The export storage's settings.
    ///   - imports: The project's import storages, by id.
    /// - Returns: The id of the first (lowest id) overlapping import storage, or `nil`.
    public static func conflictingImport(
        export: StorageSettings, imports: [(id: Int64, settings: StorageSettings)]
    ) -> Int64? {
        let exportFolder = folder(export.prefix)
        return imports.sorted { $0.id < $1.id }.first { candidate in
            let settings = candidate.settings
            guard place(settings.location) == place(export.location) else { return false }
            let importFolder = folder(settings.prefix)
            return settings.recursiveScan ? exportFolder.hasPrefix(importFolder) : exportFolder == importFolder
        }?.id
    }

    /// A prefix as a folder: no leading `/`, one trailing `/`, empty for the root.
    static func folder(_ prefix: String) -> String {
        let trimmed = prefix.drop { $0 == "/" }
        guard !trimmed.isEmpty else { return "" }
        return trimmed.hasSuffix("/") ? String(trimmed) : trimmed + "/"
    }

    /// What names the place a location's keys live, ignoring settings that do not change it
    /// (region, path style, encryption key, project).
    static func place(_ location: StorageLocation) -> String {
        switch location {
        case .local(let local):
            return "local|" + folder(local.path)
        case .s3(let s3):
            return "s3|\(s3.endpointURL)|\(s3.bucket)"
        case .gcs(let gcs):
            return "gcs|\(gcs.endpointURL)|\(gcs.bucket)"
        case .azureBlob(let azure):
            return "azure|\(azure.endpointURL)|\(azure.accountName)|\(azure.container)"
        case .redis(let redis):
            return "redis|\(redis.host.lowercased()):\(redis.port)/\(redis.database)"
        }
    }
}
