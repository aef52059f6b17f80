import FerryProto
import FerryRPC
import Testing

/// What `storage_service.proto` promises about UpdateStorage and StartSync, against a real server.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct StorageContractTests {
    typealias Methods = FerryV1.Methods.StorageService

    @Test func aMaskedUpdateChangesOnlyItsFieldsAndAStaleRevisionIsAFailedPrecondition() async throws {
        try await FerryTestServer.with { server in
            try await server.withClient(.admin) { admin in
                let created = try await FerryServerIntegrationTests.createS3(admin)
                let update = FerryV1.UpdateStorageRequest(
                    id: created.id, spec: FerryV1.StorageSpec(title: "renamed"), updateMask: ["title"],
                    expectedRevision: created.revision)
                let updated = try #require(
                    try await admin.unary(Methods.updateStorage, update, as: FerryV1.UpdateStorageResponse.self).storage)
                #expect(updated.spec?.title == "renamed")
                var unchanged = created.spec
                unchanged?.title = "renamed"
                #expect(updated.spec == unchanged)

                // The same request again carries the old revision.
                let stale = await #expect(throws: RPCError.self) {
                    _ = try await admin.unary(Methods.updateStorage, update, as: FerryV1.UpdateStorageResponse.self)
                }
                #expect(stale?.code == .failedPrecondition)

                var unknown = update
                unknown.updateMask = ["title", "bucket"]
                unknown.expectedRevision = 0
                let refused = await #expect(throws: RPCError.self) {
                    _ = try await admin.unary(Methods.updateStorage, unknown, as: FerryV1.UpdateStorageResponse.self)
                }
                #expect(refused?.code == .invalidArgument)
                #expect(refused?.message.contains("bucket") == true)
                #expect(try await admin.getStorage(created.id).storage?.spec?.title == "renamed")
            }
        }
    }

    @Test func credentialsAreCheckedBeforeTheMethodIsLookedUp() async throws {
        let nope = MethodDescriptor(service: "ferry.v1.StorageService", method: "Nope")
        let request = FerryV1.GetStorageRequest(id: 1)
        try await FerryTestServer.with { server in
            let anonymous = await #expect(throws: RPCError.self) {
                try await server.withClient(.anonymous) { client in
                    _ = try await client.unary(nope, request, as: FerryV1.GetStorageResponse.self)
                }
            }
            #expect(anonymous?.code == .unauthenticated)
            let admin = await #expect(throws: RPCError.self) {
                try await server.withClient(.admin) { client in
                    _ = try await client.unary(nope, request, as: FerryV1.GetStorageResponse.self)
                }
            }
            #expect(admin?.code == .unimplemented)
        }
    }

    @Test func startSyncOnAStorageThatMayNotSyncNamesTheField() async throws {
        try await FerryTestServer.with { server in
            try await server.withClient(.admin) { admin in
                var request = FerryServerIntegrationTests.s3Request()
                request.spec?.synchronizable = false
                let storage = try #require(try await admin.createStorage(request).storage)
                let refused = await #expect(throws: RPCError.self) { _ = try await admin.startSync(storage.id) }
                #expect(refused?.code == .failedPrecondition)
                #expect(refused?.message.contains("spec.synchronizable") == true, "\(String(describing: refused))")
            }
        }
    }
}
