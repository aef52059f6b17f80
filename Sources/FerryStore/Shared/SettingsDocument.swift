import FerryCore
import Foundation

/// The JSON form of ``StorageSettings`` in the `storages.settings` column.
///
/// A private, versioned document rather than Codable conformances on FerryCore's types, so the
/// stored format changes only when this file does. `project_id` is not in it (it is a column of its
/// own, fixed after creation), and neither is any secret.
struct SettingsDocument: Codable, Sendable {
    /// The document format; bump with a migration that rewrites old rows.
    var format: Int = 1
    var title: String
    var description: String
    var synchronizable: Bool
    var location: LocationDocument
    var prefix: String
    var regexFilter: String
    var recursiveScan: Bool
    var useBlobURLs: Bool
    var presign: Bool
    var presignTTLMicros: Int64?
    var canDeleteObjects: Bool
    /// Added after format 1 was released: absent in older rows, read as `false`.
    var exportAll: Bool?
    var exportOnChange: Bool?
    var syncIntervalMicros: Int64?
    var datasetID: Int64?

    init(_ settings: StorageSettings) {
        self.title = settings.title
        self.description = settings.description
        self.synchronizable = settings.synchronizable
        self.location = LocationDocument(settings.location)
        self.prefix = settings.prefix
        self.regexFilter = settings.regexFilter
        self.recursiveScan = settings.recursiveScan
        self.useBlobURLs = settings.useBlobURLs
        self.presign = settings.presign
        self.presignTTLMicros = settings.presignTTL?.microseconds
        self.canDeleteObjects = settings.canDeleteObjects
        self.exportAll = settings.exportAll
        self.exportOnChange = settings.exportOnChange
        self.syncIntervalMicros = settings.syncInterval?.microseconds
        self.datasetID = settings.datasetID
    }

    func settings(projectID: Int64) throws -> StorageSettings {
        StorageSettings(
            projectID: projectID,
            title: self.title,
            description: self.description,
            synchronizable: self.synchronizable,
            location: try self.location.location(),
            prefix: self.prefix,
            regexFilter: self.regexFilter,
            recursiveScan: self.recursiveScan,
            useBlobURLs: self.useBlobURLs,
            presign: self.presign,
            presignTTL: self.presignTTLMicros.map(FerryDuration.init(microseconds:)),
            canDeleteObjects: self.canDeleteObjects,
            exportAll: self.exportAll ?? false,
            exportOnChange: self.exportOnChange ?? false,
            syncInterval: self.syncIntervalMicros.map(FerryDuration.init(microseconds:)),
            datasetID: self.datasetID
        )
    }

    static func encode(_ settings: StorageSettings) throws -> String {
        do {
            let data = try Self.encoder.encode(SettingsDocument(settings))
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw StoreError(code: .invalidArgument, message: "The storage settings cannot be encoded.", cause: error)
        }
    }

    static func decode(_ text: String, projectID: Int64) throws -> StorageSettings {
        do {
            let document = try decoded.value(for: text) { text in
                let document = try JSONDecoder().decode(SettingsDocument.self, from: Data(text.utf8))
                guard document.format == 1 else {
                    throw StoreError.corrupt("Stored settings have unknown format \(document.format).")
                }
                return document
            }
            return try document.settings(projectID: projectID)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("Stored storage settings cannot be decoded.", cause: error)
        }
    }

    /// Documents already decoded, by their text.
    private static let decoded = DecodedTextMemo<SettingsDocument>(limit: 20_000)

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

/// The JSON form of ``StorageLocation``: the provider's name and that provider's fields.
struct LocationDocument: Codable, Sendable {
    var provider: String
    var path: String?
    var bucket: String?
    var region: String?
    var endpointURL: String?
    var forcePathStyle: Bool?
    var sseKMSKeyID: String?
    var project: String?
    var container: String?
    var accountName: String?
    var host: String?
    var port: Int?
    var database: Int?
    var useTLS: Bool?

    init(_ location: StorageLocation) {
        self.provider = location.provider.rawValue
        switch location {
        case .local(let local):
            self.path = local.path
        case .s3(let s3):
            self.bucket = s3.bucket
            self.region = s3.region
            self.endpointURL = s3.endpointURL
            self.forcePathStyle = s3.forcePathStyle
            self.sseKMSKeyID = s3.sseKMSKeyID
        case .gcs(let gcs):
            self.bucket = gcs.bucket
            self.project = gcs.project
            self.endpointURL = gcs.endpointURL
        case .azureBlob(let azure):
            self.container = azure.container
            self.accountName = azure.accountName
            self.endpointURL = azure.endpointURL
        case .redis(let redis):
            self.host = redis.host
            self.port = redis.port
            self.database = redis.database
            self.useTLS = redis.useTLS
        }
    }

    func location() throws -> StorageLocation {
        guard let provider = StorageProvider(rawValue: self.provider) else {
            throw StoreError.corrupt("Stored settings name an unknown provider '\(self.provider)'.")
        }
        switch provider {
        case .local:
            return .local(LocalLocation(path: try self.required(self.path, "path")))
        case .s3:
            return .s3(
                S3Location(
                    bucket: try self.required(self.bucket, "bucket"),
                    region: self.region ?? "",
                    endpointURL: self.endpointURL ?? "",
                    forcePathStyle: self.forcePathStyle ?? false,
                    sseKMSKeyID: self.sseKMSKeyID ?? ""
                )
            )
        case .gcs:
            return .gcs(
                GCSLocation(
                    bucket: try self.required(self.bucket, "bucket"),
                    project: self.project ?? "",
                    endpointURL: self.endpointURL ?? ""
                )
            )
        case .azureBlob:
            return .azureBlob(
                AzureBlobLocation(
                    container: try self.required(self.container, "container"),
                    accountName: self.accountName ?? "",
                    endpointURL: self.endpointURL ?? ""
                )
            )
        case .redis:
            return .redis(
                RedisLocation(
                    host: try self.required(self.host, "host"),
                    port: self.port ?? 0,
                    database: self.database ?? 0,
                    useTLS: self.useTLS ?? false
                )
            )
        }
    }

    private func required<T>(_ value: T?, _ name: String) throws -> T {
        guard let value else {
            throw StoreError.corrupt("Stored \(self.provider) location has no \(name).")
        }
        return value
    }
}
