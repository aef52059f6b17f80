/// Suggests the known name closest to a misspelt one (`--lisen` → `--listen`).
public enum NearMiss {
    /// The candidate within two edits of `name` (and closer than half its length), nearest
    /// first; `nil` when none is that close.
    ///
    /// - Parameters:
    ///   - name: What was given.
    ///   - candidates: The names that exist.
    /// - Returns: The suggestion, if any.
    public static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let given = Array(name.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(given, Array(candidate.lowercased()))
            guard distance <= 2, distance * 2 < max(given.count, 2) else { continue }
            if best.map({ distance < $0.distance }) ?? true { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// `" (did you mean X?)"`, or nothing.
    ///
    /// - Parameters:
    ///   - name: What was given.
    ///   - candidates: The names that exist.
    /// - Returns: The clause to append to an error message.
    public static func clause(for name: String, among candidates: some Sequence<String>) -> String {
        suggestion(for: name, among: candidates).map { " (did you mean \($0)?)" } ?? ""
    }

    /// Levenshtein distance: insertions, deletions and substitutions of one character.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
