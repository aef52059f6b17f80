/// A parsed `regex_filter` pattern: the syntax tree ``KeyPatternParser`` builds and
/// ``KeyPatternProgram`` compiles.
indirect enum KeyPatternNode: Sendable, Hashable {
    /// Matches the empty string.
    case empty
    /// One Unicode scalar from a set (a literal, `.`, a class or an escape such as `\d`).
    case scalar(ScalarSet)
    /// The parts one after the other.
    case sequence([KeyPatternNode])
    /// Any one of the branches.
    case alternation([KeyPatternNode])
    /// The node `min` to `max` times (`max` `nil`: unbounded).
    case repetition(KeyPatternNode, min: Int, max: Int?)
    /// `^` or `\A`: only at the start of the key.
    case startAnchor
    /// `$`, `\z` or `\Z`: only at the end of the key.
    case endAnchor
}

/// A set of Unicode scalars as sorted, non-overlapping, non-adjacent closed ranges of scalar
/// values.
struct ScalarSet: Sendable, Hashable {
    /// The ranges, ascending.
    private(set) var ranges: [ClosedRange<UInt32>]

    /// The largest scalar value.
    static let maxValue: UInt32 = 0x10FFFF

    /// A set of the given ranges, normalised.
    init(_ ranges: [ClosedRange<UInt32>]) {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in sorted {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    /// The set of one scalar.
    init(_ scalar: Unicode.Scalar) { self.init([scalar.value...scalar.value]) }

    /// Every scalar but these.
    var inverted: ScalarSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound &+ 1
            if range.upperBound == Self.maxValue { return ScalarSet(result) }
        }
        result.append(next...Self.maxValue)
        return ScalarSet(result)
    }

    /// The scalars of either set.
    func union(_ other: ScalarSet) -> ScalarSet { ScalarSet(ranges + other.ranges) }

    /// Whether the set holds a scalar (binary search over the ranges).
    func contains(_ value: UInt32) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if value < range.lowerBound {
                high = middle
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// The set with the other case of each letter added: ASCII ranges whole, other scalars
    /// one by one for ranges of up to 1024 (wider ranges, such as a negated class, already hold
    /// most of both cases).
    var caseFolded: ScalarSet {
        var added: [ClosedRange<UInt32>] = []
        for range in ranges {
            let (upperFrom, upperTo) = (max(range.lowerBound, 0x41), min(range.upperBound, 0x5A))
            if upperFrom <= upperTo { added.append((upperFrom + 0x20)...(upperTo + 0x20)) }
            let (lowerFrom, lowerTo) = (max(range.lowerBound, 0x61), min(range.upperBound, 0x7A))
            if lowerFrom <= lowerTo { added.append((lowerFrom - 0x20)...(lowerTo - 0x20)) }
            guard range.upperBound >= 0x80, range.count <= 1024 else { continue }
            for value in max(range.lowerBound, 0x80)...range.upperBound {
                guard let scalar = Unicode.Scalar(value) else { continue }
                for mapped in [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping] {
                    let mappedScalars = Array(mapped.unicodeScalars)
                    if mappedScalars.count == 1 { added.append(mappedScalars[0].value...mappedScalars[0].value) }
                }
            }
        }
        return added.isEmpty ? self : ScalarSet(ranges + added)
    }

    /// `\d`: the ASCII digits.
    static let digits = ScalarSet([0x30...0x39])
    /// `\w`: ASCII letters, digits and `_`.
    static let wordCharacters = ScalarSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// `\s`: space, tab, line feed, vertical tab, form feed, carriage return.
    static let whitespace = ScalarSet([0x09...0x0D, 0x20...0x20])
    /// `.`: any scalar except a line feed.
    static let anyButNewline = ScalarSet([0x0A...0x0A]).inverted
}
