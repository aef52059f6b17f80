import ArgumentParser
import FerryCLI
import FerryProto
import Foundation

/// The storage-spec flags shared by `storage create` and `storage update`; nil means "not given".
struct SpecOptions: ParsableArguments {
    @Option(help: "Title.")
    var title: String?

    @Option(help: "Description.")
    var description: String?

    @Option(help: "Provider: local, s3, gcs, azure_blob or redis.")
    var provider: String?

    @OptionGroup(title: "Location (each flag belongs to the providers it names)")
    var location: LocationOptions

    @Option(help: "Only keys under this prefix (all providers; local: a subdirectory).")
    var prefix: String?

    @Option(help: "Only keys (relative to the storage root) matching this regular expression.")
    var regexFilter: String?

    @Option(help: "Scan below the prefix's first level: true or false.")
    var recursive: Bool?

    @Option(help: "One task per object pointing at it, instead of parsing objects as task JSON: true or false.")
    var useBlobUrls: Bool?

    @Option(help: "s3/gcs/azure_blob: tasks read through the API carry presigned HTTPS URLs: true or false.")
    var presign: Bool?

    @Option(help: "s3/gcs/azure_blob: how long a presigned URL stays valid, in seconds (0: the server default).")
    var presignTtl: Int64?

    @Option(help: "Whether StartSync is allowed: true or false (create: default true).")
    var synchronizable: Bool?

    @Flag(inversion: .prefixedNo, help: "export: write only tasks whose annotations changed (the default), or rewrite all.")
    var onlyNew: Bool?

    @Flag(inversion: .prefixedNo, help: "export: deleting a task's last annotation deletes its object.")
    var canDeleteObjects: Bool?

    @Flag(inversion: .prefixedNo, help: "export: every annotation change queues a sync.")
    var exportOnChange: Bool?

    @Option(
        help: ArgumentHelp(
            "A credential, NAME=VALUE; repeatable. Values are never printed.",
            discussion: """
                s3: access_key_id, secret_access_key, session_token; gcs: application_credentials; \
                azure_blob: account_key or sas_token; redis: username, password.
                """))
    var secret: [String] = []

    @Option(
        help: "A credential read from a file, NAME=PATH; repeatable (gcs: application_credentials=key.json).")
    var secretFile: [String] = []

    /// Every credential given, from `--secret` and `--secret-file`.
    func secrets() throws -> [FerryV1.Secret] {
        let inline = try secret.map { argument in
            guard let parsed = SecretArgument(argument) else {
                throw ValidationError("--secret must be NAME=VALUE")
            }
            return parsed.proto
        }
        let fromFiles = try secretFile.map { argument in
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ValidationError("--secret-file must be NAME=PATH")
            }
            let name = String(argument[..<equals])
            let path = String(argument[argument.index(after: equals)...])
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("--secret-file \(name): cannot read \(path)")
            }
            return FerryV1.Secret(name: name, value: String(decoding: data, as: UTF8.self))
        }
        return inline + fromFiles
    }

    func parsedProvider() throws -> FerryV1.StorageProvider? {
        guard let provider else { return nil }
        guard let parsed = Names.parseProvider(provider) else {
            throw ValidationError("--provider must be local, s3, gcs, azure_blob or redis")
        }
        return parsed
    }

    /// Applies the given flags to `spec`; the location is rebuilt for the (new) provider.
    func apply(to spec: inout FerryV1.StorageSpec) throws {
        if let title { spec.title = title }
        if let description { spec.description = description }
        if let provider = try parsedProvider(), provider != spec.provider {
            spec.provider = provider
            spec.local = nil
            spec.s3 = nil
            spec.gcs = nil
            spec.azureBlob = nil
            spec.redis = nil
        }
        if let prefix { spec.prefix = prefix }
        if let regexFilter { spec.regexFilter = regexFilter }
        if let recursive { spec.recursiveScan = recursive }
        if let useBlobUrls { spec.useBlobURLs = useBlobUrls }
        if let presign { spec.presign = presign }
        if let presignTtl {
            guard presignTtl >= 0 else { throw ValidationError("--presign-ttl must not be negative") }
            spec.presignTTLMicros = presignTtl * 1_000_000
        }
        if let synchronizable { spec.synchronizable = synchronizable }
        if let onlyNew { spec.exportAll = !onlyNew }
        if let canDeleteObjects { spec.canDeleteObjects = canDeleteObjects }
        if let exportOnChange { spec.exportOnChange = exportOnChange }
        try location.apply(to: &spec)
    }
}
