import FerryProviders
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import FerryWorker

/// The local provider: keys relative to the storage directory, recursion, prefix, paging, and
/// the root boundary (`..` and symlinks).
@Suite(.serialized)
struct LocalObjectStoreTests {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-local-\(UUID().uuidString)").path
        for path in ["data/a.json", "data/b.json", "data/sub/c.json", "data/sub/deep/d.json", "outside/secret.json"] {
            try write(path, #"{"p":"\#(path)"}"#)
        }
    }

    private func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    private func keys(_ source: LocalObjectStore, page: Int = 100) async throws -> [String] {
        let lister = try source.makeLister()
        var keys: [String] = []
        while let objects = try await lister.next(maxCount: page) {
            #expect(objects.count <= page)
            keys += objects.map(\.key)
        }
        return keys.sorted()
    }

    @Test func flatListingTakesOnlyTheDirectorysFiles() async throws {
        let source = try LocalObjectStore(root: root, path: "data", prefix: "", recursive: false)
        #expect(try await keys(source) == ["a.json", "b.json"])
    }

    @Test func recursiveListingKeysAreRelativeToTheStorageDirectory() async throws {
        let source = try LocalObjectStore(root: root, path: root + "/data", prefix: "", recursive: true)
        #expect(try await keys(source, page: 1) == ["a.json", "b.json", "sub/c.json", "sub/deep/d.json"])
    }

    @Test func prefixListsASubdirectoryAndStaysInTheKeys() async throws {
        let source = try LocalObjectStore(root: root, path: "data", prefix: "sub", recursive: true)
        #expect(try await keys(source) == ["sub/c.json", "sub/deep/d.json"])
    }

    @Test func readReturnsTheBytesInOrder() async throws {
        let source = try LocalObjectStore(root: root, path: "data", prefix: "", recursive: true)
        let objects = try await source.read(["sub/c.json", "a.json"])
        #expect(objects.map(\.key) == ["sub/c.json", "a.json"])
        #expect(String(decoding: objects[1].bytes, as: UTF8.self) == #"{"p":"data/a.json"}"#)
    }

    @Test func regularFilesAreListedWithoutAStatAndLinksWithTheirTargetsSize() async throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/data/link.json", withDestinationPath: root + "/data/a.json")
        let source = try LocalObjectStore(root: root, path: "data", prefix: "", recursive: false)
        let page = try #require(try await source.makeLister().next(maxCount: 10))
        let sizes = Dictionary(uniqueKeysWithValues: page.map { ($0.key, $0.size) })
        #expect(sizes["a.json"] == .some(nil))
        #expect(sizes["link.json"] == Int64(#"{"p":"data/a.json"}"#.utf8.count))
    }

    @Test func dotDotIsRefused() {
        let error = #expect(throws: ProviderError.self) {
            try LocalObjectStore(root: root + "/data", path: "../outside", prefix: "", recursive: false)
        }
        #expect(error?.message == "must not contain '..' components")
    }

    @Test func fifosAreNotListedAndCannotBeReadAsFiles() async throws {
        #expect(mkfifo(root + "/data/pipe.json", 0o600) == 0)
        let source = try LocalObjectStore(root: root, path: "data", prefix: "", recursive: false)
        #expect(try await keys(source) == ["a.json", "b.json"])
        let error = await #expect(throws: ProviderError.self) { _ = try await source.read(["pipe.json"]) }
        #expect(error?.message == "is not a regular file")
    }

    @Test func storageDirectoryLinkedOutsideTheRootIsRefused() throws {
        try FileManager.default.createDirectory(atPath: root + "/jail", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/jail/escape", withDestinationPath: root + "/outside")
        let error = #expect(throws: ProviderError.self) {
            try LocalObjectStore(root: root + "/jail", path: "escape", prefix: "", recursive: false)
        }
        #expect(error?.message.contains("outside the local-files root") == true)
    }

    @Test func fileLinksOutsideTheRootAreSkippedAndInsideOnesFollowed() async throws {
        try FileManager.default.createDirectory(atPath: root + "/jail/data", withIntermediateDirectories: true)
        try write("jail/data/own.json", "{}")
        try FileManager.default.createSymbolicLink(
            atPath: root + "/jail/data/leak.json", withDestinationPath: root + "/outside/secret.json")
        try FileManager.default.createSymbolicLink(
            atPath: root + "/jail/data/alias.json", withDestinationPath: root + "/jail/data/own.json")
        let source = try LocalObjectStore(root: root + "/jail", path: "data", prefix: "", recursive: true)
        #expect(try await keys(source) == ["alias.json", "own.json"])
        await #expect(throws: ProviderError.self) { _ = try await source.read(["leak.json"]) }
    }

    @Test func missingDirectoryIsAClearError() {
        let error = #expect(throws: ProviderError.self) {
            try LocalObjectStore(root: root, path: "nope", prefix: "", recursive: false)
        }
        #expect(error?.message == "no such directory")
    }

    @Test func blobURLPointsAtTheFile() throws {
        let source = try LocalObjectStore(root: root, path: "data", prefix: "", recursive: false)
        #expect(source.blobURL(for: "sub/a b.png") == "file://" + root + "/data/sub/a%20b.png")
    }
}
