/// Reads many objects with at most a fixed number in flight, keeping the callers' order.
public enum BoundedReads {
    /// Reads every key, at most `parallelism` at a time; the first failure cancels the rest.
    ///
    /// - Parameters:
    ///   - keys: The keys to read.
    ///   - parallelism: The most reads in flight (at least 1), usually ``ProviderContext/parallelism``.
    ///   - read: Reads one object's whole body.
    /// - Returns: One object per key, in the order of `keys`.
    /// - Throws: The first error a read throws.
    public static func read(
        _ keys: [String],
        parallelism: Int,
        read: @escaping @Sendable (String) async throws -> [UInt8]
    ) async throws -> [LoadedObject] {
        var results = [[UInt8]?](repeating: nil, count: keys.count)
        try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            var nextIndex = 0
            func startNext() {
                guard nextIndex < keys.count else { return }
                let index = nextIndex
                let key = keys[index]
                nextIndex += 1
                group.addTask { (index, try await read(key)) }
            }
            for _ in 0..<max(1, parallelism) { startNext() }
            while let (index, bytes) = try await group.next() {
                results[index] = bytes
                startNext()
            }
        }
        return zip(keys, results).map { key, bytes in LoadedObject(key: key, bytes: bytes ?? []) }
    }
}
