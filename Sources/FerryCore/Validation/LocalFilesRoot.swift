/// The directory under which every `local` storage must live (the server's local-files root),
/// and the lexical check that keeps storage paths inside it.
///
/// The check is purely lexical: it normalises `.` and repeated `/`, refuses every `..` component
/// (even one that would stay inside, as `provider.proto` promises "no `..` components"), and
/// compares whole path components, so `/data2` is not under `/data`. It cannot see symlinks: a
/// path that is lexically inside the root may still resolve outside it through a link. Following
/// links is I/O, so it belongs to the server, which must `realpath` the resolved path (and the
/// root) and check containment again before using it — and the worker before opening files.
public struct LocalFilesRoot: Sendable, Hashable, CustomStringConvertible {
    /// The root as an absolute, normalised path (no trailing `/` unless it is `/`).
    public let path: String

    /// Creates a root.
    ///
    /// - Parameter path: An absolute path without `..` components or NUL bytes.
    /// - Throws: A ``ValidationError`` with code `.invalidConfiguration` for a relative or
    ///   malformed path.
    public init(_ path: String) throws(ValidationError) {
        guard path.hasPrefix("/"), let components = Self.components(of: path) else {
            throw ValidationError(
                code: .invalidConfiguration,
                fieldErrors: [
                    FieldError(
                        field: "local_files_root",
                        code: .invalidFormat,
                        message: "must be an absolute path without '..' components"
                    )
                ]
            )
        }
        self.path = Self.join(components)
    }

    /// Resolves a storage's `local.path` to the absolute path it names under the root.
    ///
    /// A relative path is taken relative to the root; an absolute path must lie under it (the root
    /// itself is allowed).
    ///
    /// - Parameter storagePath: The path from the storage settings.
    /// - Returns: The absolute, normalised path; check it for symlinks before use.
    /// - Throws: A ``ValidationError`` with one `local.path` field error: empty, too long,
    ///   containing NUL or a `..` component, or outside the root.
    public func resolve(_ storagePath: String) throws(ValidationError) -> String {
        func failure(_ code: FieldError.Code, _ message: String) -> ValidationError {
            ValidationError(fieldErrors: [FieldError(field: "local.path", code: code, message: message)])
        }
        guard !storagePath.isEmpty else { throw failure(.required, "must not be empty") }
        guard storagePath.utf8.count <= 4096 else { throw failure(.tooLong, "must be at most 4096 bytes") }
        guard !storagePath.utf8.contains(0) else { throw failure(.invalidFormat, "must not contain NUL") }
        guard let components = Self.components(of: storagePath) else {
            throw failure(.escapesRoot, "must not contain '..' components")
        }
        guard storagePath.hasPrefix("/") else {
            return Self.join(self.components + components)
        }
        guard components.starts(with: self.components) else {
            throw failure(.escapesRoot, "must be under the local-files root \(self.path)")
        }
        return Self.join(components)
    }

    /// The root path.
    public var description: String { self.path }

    private var components: [Substring] {
        Self.components(of: self.path) ?? []
    }

    /// The path's components without empty and `.` ones, or `nil` if one is `..`.
    private static func components(of path: String) -> [Substring]? {
        var result: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." { return nil }
            result.append(component)
        }
        return result
    }

    private static func join(_ components: [Substring]) -> String {
        "/" + components.joined(separator: "/")
    }
}
