/// Runs one operation per item with at most a fixed number in flight, keeping the callers' order.
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
        let bodies = try await map(keys, parallelism: parallelism, read)
        return zip(keys, bodies).map { key, bytes in LoadedObject(key: key, bytes: bytes) }
    }

    /// Applies `body` to every item, at most `parallelism` at a time; the first failure cancels
    /// the rest.
    ///
    /// - Parameters:
    ///   - items: The inputs.
    ///   - parallelism: The most calls in flight (at least 1).
    ///   - body: The operation.
    /// - Returns: One result per item, in the order of `items`.
    /// - Throws: The first error `body` throws.
    public static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item],
        parallelism: Int,
        _ body: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> [Result] {
        var results = [Result?](repeating: nil, count: items.count)
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var nextIndex = 0
            func startNext() {
                guard nextIndex < items.count else { return }
                let index = nextIndex
                let item = items[index]
                nextIndex += 1
                group.addTask { (index, try await body(item)) }
            }
            for _ in 0..<max(1, parallelism) { startNext() }
            while let (index, result) = try await group.next() {
                results[index] = result
                startNext()
            }
        }
        return results.map { $0! }
    }
}
