import Testing

@testable import FerryCore

@Suite("StorageValidator")
struct StorageValidatorTests {
    static let validator = StorageValidator(
        configuration: .init(localFilesRoot: try! LocalFilesRoot("/srv/ferry//files/"))
    )

    static func settings(
        _ location: StorageLocation = .s3(S3Location(bucket: "my-bucket")),
        _ change: (inout StorageSettings) -> Void = { _ in }
    ) -> StorageSettings {
        var settings = StorageSettings(projectID: 7, title: "Images", location: location)
        change(&settings)
        return settings
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var kind: StorageKind = .import
        var settings: StorageSettings
        var secrets: StorageSecrets = .none
        /// The expected (field, code) pairs; empty to accept.
        var errors: [String] = []

        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        // Accepted.
        Case(name: "a plain s3 import", settings: settings()),
        Case(
            name: "every option set sensibly",
            settings: settings(
                .s3(S3Location(bucket: "b.1", region: "eu-west-1", endpointURL: "https://minio.local:9000/s3"))
            ) {
                $0.prefix = "images/2024/"
                $0.regexFilter = #".*\.(jpe?g|png)"#
                $0.useBlobURLs = true
                $0.presign = true
                $0.presignTTL = .minutes(15)
                $0.syncInterval = .minutes(1)
            },
            secrets: StorageSecrets(["access_key_id": "AKIA", "secret_access_key": "s3cr3t"])
        ),
        Case(name: "local, relative path", settings: settings(.local(LocalLocation(path: "project-7/./in")))),
        Case(
            name: "local, absolute path under the root",
            settings: settings(.local(LocalLocation(path: "/srv/ferry/files/p7")))
        ),
        Case(name: "local, the root itself", settings: settings(.local(LocalLocation(path: "/srv/ferry/files")))),
        Case(
            name: "gcs export that deletes",
            kind: .export,
            settings: settings(.gcs(GCSLocation(bucket: "g", project: "my-proj-1"))) { $0.canDeleteObjects = true }
        ),
        Case(
            name: "azure dataset",
            kind: .dataset,
            settings: settings(
                .azureBlob(
                    AzureBlobLocation(
                        container: "c",
                        accountName: "devstoreaccount1",
                        endpointURL: "http://127.0.0.1:10000/devstoreaccount1"
                    )
                )
            ) { $0.datasetID = 3 }
        ),
        Case(
            name: "redis import",
            settings: settings(.redis(RedisLocation(host: "redis.internal", port: 6380, database: 2))),
            secrets: StorageSecrets(["password": "pw"])
        ),
        Case(name: "ipv6 endpoint", settings: settings(.s3(S3Location(bucket: "b", endpointURL: "http://[::1]:9000")))),
        Case(name: "an empty prefix with '..' inside a name is fine", settings: settings { $0.prefix = "a..b/c.." }),

        // Refused: common settings.
        Case(name: "project id zero", settings: settings { $0.projectID = 0 }, errors: ["project_id:outOfRange"]),
        Case(name: "blank title", settings: settings { $0.title = "  \n" }, errors: ["title:required"]),
        Case(
            name: "title too long",
            settings: settings { $0.title = String(repeating: "t", count: 257) },
            errors: ["title:tooLong"]
        ),
        Case(name: "multi-line title", settings: settings { $0.title = "a\nb" }, errors: ["title:invalidFormat"]),
        Case(
            name: "huge description",
            settings: settings { $0.description = String(repeating: "d", count: 16_385) },
            errors: ["description:tooLong"]
        ),
        Case(
            name: "regex that does not compile",
            settings: settings { $0.regexFilter = "(unclosed" },
            errors: ["regex_filter:invalidFormat"]
        ),
        Case(
            name: "regex too long",
            settings: settings { $0.regexFilter = String(repeating: "a", count: 1025) },
            errors: ["regex_filter:tooLong"]
        ),
        Case(name: "'../' in prefix", settings: settings { $0.prefix = "../other" }, errors: ["prefix:escapesRoot"]),
        Case(
            name: "'..' segment inside prefix",
            settings: settings { $0.prefix = "a/../../b/" },
            errors: ["prefix:escapesRoot"]
        ),
        Case(name: "prefix ending in '..'", settings: settings { $0.prefix = "a/.." }, errors: ["prefix:escapesRoot"]),
        Case(
            name: "leading '/' in prefix",
            settings: settings { $0.prefix = "/abs" },
            errors: ["prefix:invalidFormat"]
        ),
        Case(name: "NUL in prefix", settings: settings { $0.prefix = "a\u{0}b" }, errors: ["prefix:invalidFormat"]),
        Case(
            name: "prefix too long",
            settings: settings { $0.prefix = String(repeating: "p", count: 1025) },
            errors: ["prefix:tooLong"]
        ),
        Case(
            name: "presign ttl too short",
            settings: settings { $0.presignTTL = .seconds(59) },
            errors: ["presign_ttl_micros:outOfRange"]
        ),
        Case(
            name: "presign ttl too long",
            settings: settings { $0.presignTTL = .days(7) + .microseconds(1) },
            errors: ["presign_ttl_micros:outOfRange"]
        ),
        Case(
            name: "sync interval under a minute",
            settings: settings { $0.syncInterval = .seconds(59) },
            errors: ["sync_interval_micros:outOfRange"]
        ),
        Case(
            name: "blob urls on an export",
            kind: .export,
            settings: settings { $0.useBlobURLs = true },
            errors: ["use_blob_urls:notAllowed"]
        ),
        Case(
            name: "delete objects on an import",
            settings: settings { $0.canDeleteObjects = true },
            errors: ["can_delete_objects:notAllowed"]
        ),
        Case(
            name: "dataset id on an import",
            settings: settings { $0.datasetID = 1 },
            errors: ["dataset_id:notAllowed"]
        ),
        Case(
            name: "negative dataset id",
            kind: .dataset,
            settings: settings { $0.datasetID = -1 },
            errors: ["dataset_id:outOfRange"]
        ),

        // Refused: local paths.
        Case(
            name: "local path escaping the root with '..'",
            settings: settings(.local(LocalLocation(path: "p7/../../etc"))),
            errors: ["local.path:escapesRoot"]
        ),
        Case(
            name: "local absolute path outside the root",
            settings: settings(.local(LocalLocation(path: "/etc/passwd"))),
            errors: ["local.path:escapesRoot"]
        ),
        Case(
            name: "local sibling with the root as a string prefix",
            settings: settings(.local(LocalLocation(path: "/srv/ferry/files2/x"))),
            errors: ["local.path:escapesRoot"]
        ),
        Case(
            name: "local absolute path with '..' back in",
            settings: settings(.local(LocalLocation(path: "/srv/ferry/files/../files/x"))),
            errors: ["local.path:escapesRoot"]
        ),
        Case(
            name: "local empty path",
            settings: settings(.local(LocalLocation(path: ""))),
            errors: ["local.path:required"]
        ),
        Case(
            name: "local path with NUL",
            settings: settings(.local(LocalLocation(path: "a\u{0}"))),
            errors: ["local.path:invalidFormat"]
        ),

        // Refused: endpoints.
        Case(
            name: "endpoint with credentials",
            settings: settings(.s3(S3Location(bucket: "b", endpointURL: "https://user:pass@minio.local"))),
            errors: ["s3.endpoint_url:notAllowed"]
        ),
        Case(
            name: "endpoint with another scheme",
            settings: settings(.s3(S3Location(bucket: "b", endpointURL: "file:///etc"))),
            errors: ["s3.endpoint_url:invalidFormat"]
        ),
        Case(
            name: "endpoint without a scheme",
            settings: settings(.s3(S3Location(bucket: "b", endpointURL: "minio.local:9000"))),
            errors: ["s3.endpoint_url:invalidFormat"]
        ),
        Case(
            name: "endpoint without a host",
            settings: settings(.s3(S3Location(bucket: "b", endpointURL: "https://:9000"))),
            errors: ["s3.endpoint_url:invalidFormat"]
        ),
        Case(
            name: "endpoint with a bad port",
            settings: settings(.s3(S3Location(bucket: "b", endpointURL: "https://m:70000"))),
            errors: ["s3.endpoint_url:outOfRange"]
        ),
        Case(
            name: "endpoint with a query",
            settings: settings(
                .azureBlob(AzureBlobLocation(container: "c", accountName: "a", endpointURL: "https://h/?sig=x"))
            ),
            errors: ["azure_blob.endpoint_url:invalidFormat"]
        ),
        Case(
            name: "endpoint with whitespace",
            settings: settings(.s3(S3Location(bucket: "b", endpointURL: "https://h st"))),
            errors: ["s3.endpoint_url:invalidFormat"]
        ),
        Case(
            name: "gcs endpoint with a query",
            settings: settings(.gcs(GCSLocation(bucket: "b", endpointURL: "http://127.0.0.1:4443/?x=1"))),
            errors: ["gcs.endpoint_url:invalidFormat"]
        ),

        // Refused: provider locations.
        Case(name: "empty bucket", settings: settings(.s3(S3Location(bucket: ""))), errors: ["s3.bucket:required"]),
        Case(
            name: "bucket with a slash",
            settings: settings(.gcs(GCSLocation(bucket: "a/b"))),
            errors: ["gcs.bucket:invalidFormat"]
        ),
        Case(
            name: "bad region",
            settings: settings(.s3(S3Location(bucket: "b", region: "us east"))),
            errors: ["s3.region:invalidFormat"]
        ),
        Case(
            name: "azure without account",
            settings: settings(.azureBlob(AzureBlobLocation(container: "c", accountName: ""))),
            errors: ["azure_blob.account_name:required"]
        ),
        Case(
            name: "redis without host, bad port",
            settings: settings(.redis(RedisLocation(host: "", port: 70000))),
            errors: ["redis.host:required", "redis.port:outOfRange"]
        ),
        Case(
            name: "redis negative db",
            settings: settings(.redis(RedisLocation(host: "r", database: -1))),
            errors: ["redis.db:outOfRange"]
        ),

        // Refused: secrets.
        Case(
            name: "a secret the provider does not take",
            settings: settings(),
            secrets: StorageSecrets(["password": "x"]),
            errors: ["credentials.password:notAllowed"]
        ),
        Case(
            name: "an empty secret",
            settings: settings(),
            secrets: StorageSecrets(["access_key_id": ""]),
            errors: ["credentials.access_key_id:required"]
        ),
        Case(
            name: "secrets for a local storage",
            settings: settings(.local(LocalLocation(path: "p"))),
            secrets: StorageSecrets(["token": "x"]),
            errors: ["credentials.token:notAllowed"]
        ),

        // Several at once, in order.
        Case(
            name: "every error is listed",
            settings: settings {
                $0.projectID = -1
                $0.title = ""
                $0.prefix = "../x"
                $0.regexFilter = "["
            },
            errors: ["project_id:outOfRange", "title:required", "prefix:escapesRoot", "regex_filter:invalidFormat"]
        ),
    ]

    @Test("Create: accepted and refused settings", arguments: cases)
    func create(_ c: Case) {
        let errors = Self.validator.validateCreate(
            kind: c.kind,
            provider: c.settings.provider,
            settings: c.settings,
            secrets: c.secrets
        )
        #expect(errors.map { "\($0.field):\($0.code)" } == c.errors, "\(errors)")
        if c.errors.isEmpty {
            #expect(throws: Never.self) {
                try Self.validator.checkCreate(
                    kind: c.kind,
                    provider: c.settings.provider,
                    settings: c.settings,
                    secrets: c.secrets
                )
            }
        } else {
            #expect(throws: ValidationError.self) {
                try Self.validator.checkCreate(
                    kind: c.kind,
                    provider: c.settings.provider,
                    settings: c.settings,
                    secrets: c.secrets
                )
            }
        }
    }

    @Test("Every kind × provider combination is supported")
    func combinations() {
        for kind in StorageKind.allCases {
            for provider in StorageProvider.allCases {
                #expect(StorageValidator.isSupported(kind: kind, provider: provider))
            }
        }
    }

    @Test("The location must match the provider")
    func providerMismatch() {
        let errors = Self.validator.validateCreate(
            kind: .import,
            provider: .gcs,
            settings: Self.settings(),
            secrets: .none
        )
        #expect(errors.map(\.field) == ["gcs"])
        #expect(errors.first?.code == .required)
    }

    @Test("Local storages are refused without a configured root")
    func localDisabled() {
        let errors = StorageValidator().validateCreate(
            kind: .import,
            provider: .local,
            settings: Self.settings(.local(LocalLocation(path: "p"))),
            secrets: .none
        )
        #expect(errors.map { "\($0.field):\($0.code)" } == ["local.path:notAllowed"])
    }

    @Test("Local paths resolve under the root")
    func localResolution() throws {
        let root = try LocalFilesRoot("/srv/ferry//files/")
        #expect(root.path == "/srv/ferry/files")
        #expect(try root.resolve("a//b/./c/") == "/srv/ferry/files/a/b/c")
        #expect(try root.resolve("/srv/ferry/files/x") == "/srv/ferry/files/x")
        #expect(throws: ValidationError.self) { try root.resolve("/srv/ferry") }
        #expect(throws: ValidationError.self) { try LocalFilesRoot("relative/root") }
        #expect(throws: ValidationError.self) { try LocalFilesRoot("/srv/../etc") }
    }

    @Test("Updates keep project and provider fixed and check only the secrets sent")
    func update() {
        let existing = Storage(
            id: 1,
            kind: .export,
            settings: Self.settings(),
            secretNames: ["access_key_id"],
            createdAt: Fixture.t0,
            updatedAt: Fixture.t0
        )
        var settings = Self.settings {
            $0.title = "Renamed"
            $0.canDeleteObjects = true
        }
        #expect(Self.validator.validateUpdate(of: existing, provider: .s3, settings: settings, secrets: .none).isEmpty)

        settings.projectID = 8
        let moved = Self.validator.validateUpdate(of: existing, provider: .s3, settings: settings, secrets: .none)
        #expect(moved.map { "\($0.field):\($0.code)" } == ["project_id:immutable"])

        let gcs = Self.settings(.gcs(GCSLocation(bucket: "g")))
        let switched = Self.validator.validateUpdate(of: existing, provider: .gcs, settings: gcs, secrets: .none)
        #expect(switched.map { "\($0.field):\($0.code)" } == ["provider:immutable"])

        let badSecret = Self.validator.validateUpdate(
            of: existing,
            provider: .s3,
            settings: Self.settings(),
            secrets: StorageSecrets(["account_key": "k"])
        )
        #expect(badSecret.map(\.field) == ["credentials.account_key"])
    }

    @Test("Error messages never contain a secret value")
    func messagesHideSecrets() {
        let secrets = StorageSecrets([
            "password": "hunter2-value", "secret_access_key": String(repeating: "z", count: 70_000),
        ])
        let errors = Self.validator.validateCreate(
            kind: .import,
            provider: .s3,
            settings: Self.settings(),
            secrets: secrets
        )
        #expect(errors.count == 2)
        let text = ValidationError(fieldErrors: errors).description
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("zzzz"))
    }
}

@Suite("KeyFilter")
struct KeyFilterTests {
    @Test(
        "Full-key matching",
        arguments: [
            ("", "anything/at/all", true),
            (#".*\.json"#, "tasks/a.json", true),
            (#".*\.json"#, "tasks/a.json.bak", false),
            (#"\.json"#, "tasks/a.json", false),
            ("images/[0-9]+\\.png", "images/12.png", true),
            ("images/[0-9]+\\.png", "xx/images/12.png", false),
            ("a|b", "a", true),
            ("a|b", "ab", false),
        ]
    )
    func matching(pattern: String, key: String, expected: Bool) throws {
        #expect(try KeyFilter(pattern: pattern).matches(key) == expected)
    }

    @Test("A pattern that does not compile is a regex_filter error")
    func invalid() {
        for pattern in ["(", "[a-", "*x", "a{2,1}"] {
            #expect(throws: ValidationError.self, "\(pattern)") { try KeyFilter(pattern: pattern) }
        }
        #expect(KeyFilter.all.matches("x"))
    }
}
