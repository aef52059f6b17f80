/// Parses a `regex_filter` pattern into a ``KeyPatternNode`` tree.
///
/// The syntax is the common subset of PCRE, Python and Swift `Regex` that a Thompson NFA runs
/// in time linear in the key: literals and escapes, `.`, classes (`[a-z]`, `[^/]`, `\d \w \s`
/// and their negations), groups (`(…)`, `(?:…)`, `(?<name>…)`, `(?P<name>…)`), alternation,
/// the quantifiers `* + ? {n} {n,} {n,m}` (lazy forms are accepted; they cannot change a
/// whole-key match), the anchors `^ $ \A \z \Z`, and a leading `(?i)` for case-insensitive
/// matching. Constructs that need backtracking or
/// change matching in ways the NFA does not model are refused by name: backreferences,
/// lookahead and lookbehind, atomic groups, possessive quantifiers, inline options, word
/// boundaries, POSIX classes.
struct KeyPatternParser {
    /// The largest count in `{n,m}`.
    static let maxRepeatCount = 1_000

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var ignoresCase = false

    /// Parses a whole pattern.
    ///
    /// - Parameter pattern: The pattern text.
    /// - Returns: Its syntax tree.
    /// - Throws: ``KeyPatternError`` naming the problem and where it is.
    static func parse(_ pattern: String) throws(KeyPatternError) -> KeyPatternNode {
        var parser = KeyPatternParser(scalars: Array(pattern.unicodeScalars))
        // A leading `(?i)` makes the whole pattern case-insensitive; other inline options are refused.
        if parser.take("(?i)") { parser.ignoresCase = true }
        let node = try parser.alternation()
        if parser.position < parser.scalars.count {
            // Only an unbalanced `)` stops an alternation early.
            throw KeyPatternError("unmatched ')'", at: parser.position)
        }
        return node
    }

    private init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    // MARK: Structure

    private var atEnd: Bool { position >= scalars.count }
    private var current: Unicode.Scalar? { atEnd ? nil : scalars[position] }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private mutating func take(_ text: String) -> Bool {
        let wanted = Array(text.unicodeScalars)
        guard position + wanted.count <= scalars.count,
            Array(scalars[position..<(position + wanted.count)]) == wanted
        else { return false }
        position += wanted.count
        return true
    }

    private mutating func alternation() throws(KeyPatternError) -> KeyPatternNode {
        var branches = [try sequence()]
        while current == "|" {
            position += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func sequence() throws(KeyPatternError) -> KeyPatternNode {
        var parts: [KeyPatternNode] = []
        while let scalar = current, scalar != "|", scalar != ")" {
            parts.append(try quantified())
        }
        switch parts.count {
        case 0: return .empty
        case 1: return parts[0]
        default: return .sequence(parts)
        }
    }

    private mutating func quantified() throws(KeyPatternError) -> KeyPatternNode {
        let start = position
        var node = try atom()
        var quantifiers = 0
        while let bounds = try quantifier() {
            quantifiers += 1
            if quantifiers > 1 {
                throw KeyPatternError("a quantifier cannot follow another quantifier; use a group", at: start)
            }
            if current == "+" {
                throw KeyPatternError(
                    "possessive quantifiers (such as '*+') need backtracking control and are not supported", at: position)
            }
            if current == "?" { position += 1 }  // Lazy: the same set of whole-key matches.
            if case .startAnchor = node { throw KeyPatternError("an anchor cannot be repeated", at: start) }
            if case .endAnchor = node { throw KeyPatternError("an anchor cannot be repeated", at: start) }
            node = .repetition(node, min: bounds.min, max: bounds.max)
        }
        return node
    }

    /// A quantifier at the current position, if there is one.
    private mutating func quantifier() throws(KeyPatternError) -> (min: Int, max: Int?)? {
        switch current {
        case "*":
            position += 1
            return (0, nil)
        case "+":
            position += 1
            return (1, nil)
        case "?":
            position += 1
            return (0, 1)
        case "{":
            return try countedQuantifier()
        default:
            return nil
        }
    }

    /// `{n}`, `{n,}` or `{n,m}`; a `{` that starts none of them is refused (PCRE would read it as
    /// a literal, which surprises more than it helps).
    private mutating func countedQuantifier() throws(KeyPatternError) -> (min: Int, max: Int?) {
        let start = position
        position += 1
        guard let low = number() else {
            throw KeyPatternError("'{' must start a quantifier such as {2}, {2,} or {2,5}; write '\\{' for a brace", at: start)
        }
        var high: Int? = low
        if current == "," {
            position += 1
            high = number()
        }
        guard current == "}" else {
            throw KeyPatternError("unterminated quantifier; expected '}'", at: start)
        }
        position += 1
        if let high, high < low {
            throw KeyPatternError("quantifier {\(low),\(high)} has its bounds in the wrong order", at: start)
        }
        if low > Self.maxRepeatCount || (high ?? 0) > Self.maxRepeatCount {
            throw KeyPatternError("quantifier counts must be at most \(Self.maxRepeatCount)", at: start)
        }
        return (low, high)
    }

    private mutating func number() -> Int? {
        var value = 0
        var digits = 0
        while let scalar = current, let digit = Int(String(scalar)), scalar.isASCII {
            value = min(value * 10 + digit, Self.maxRepeatCount + 1)
            digits += 1
            position += 1
        }
        return digits > 0 ? value : nil
    }

    // MARK: Atoms

    private mutating func atom() throws(KeyPatternError) -> KeyPatternNode {
        let start = position
        guard let scalar = current else { throw KeyPatternError("unexpected end of pattern", at: start) }
        switch scalar {
        case "(":
            return try group()
        case "[":
            return .scalar(try characterClass())  // Folded before a negation.
        case ".":
            position += 1
            return .scalar(.anyButNewline)
        case "^":
            position += 1
            return .startAnchor
        case "$":
            position += 1
            return .endAnchor
        case "\\":
            return try escape()
        case "*", "+", "?", "{":
            throw KeyPatternError("quantifier '\(scalar)' has nothing to repeat", at: start)
        default:
            position += 1
            return .scalar(folded(ScalarSet(scalar)))
        }
    }

    private mutating func group() throws(KeyPatternError) -> KeyPatternNode {
        let start = position
        position += 1
        if current == "?" {
            position += 1
            // A non-capturing or named group: both only group here.
            guard take(":") || namedGroup(opening: "P<", closing: ">") || namedGroup(opening: "<", closing: ">")
                || namedGroup(opening: "'", closing: "'")
            else {
                throw KeyPatternError(Self.unsupportedGroup(peek(0), peek(1)), at: start)
            }
        }
        let inner = try alternation()
        guard current == ")" else { throw KeyPatternError("unmatched '('", at: start) }
        position += 1
        return inner
    }

    /// Consumes `opening`, a group name and `closing`; false, with nothing consumed, if they are
    /// not there.
    private mutating func namedGroup(opening: String, closing: Unicode.Scalar) -> Bool {
        let start = position
        guard take(opening) else { return false }
        let nameStart = position
        while let scalar = current, scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            position += 1
        }
        if position > nameStart && current == closing {
            position += 1
            return true
        }
        position = start
        return false
    }

    /// The set with the other case of its letters added, under `(?i)`.
    private func folded(_ set: ScalarSet) -> ScalarSet {
        ignoresCase ? set.caseFolded : set
    }

    private static func unsupportedGroup(_ first: Unicode.Scalar?, _ second: Unicode.Scalar?) -> String {
        switch (first, second) {
        case ("=", _), ("!", _):
            return "lookahead ('(?=' and '(?!') needs backtracking and is not supported"
        case ("<", "="), ("<", "!"):
            return "lookbehind ('(?<=' and '(?<!') needs backtracking and is not supported"
        case (">", _):
            return "atomic groups ('(?>') need backtracking control and are not supported"
        case ("P", "="):
            return "named backreferences ('(?P=name)') need backtracking and are not supported"
        case ("#", _):
            return "comments ('(?#') are not supported"
        default:
            return "inline options other than a leading '(?i)', and other '(?' groups, are not supported; "
                + "use '(?:' or '(?<name>' to group"
        }
    }

    private mutating func escape() throws(KeyPatternError) -> KeyPatternNode {
        let start = position
        position += 1
        guard let scalar = current else { throw KeyPatternError("pattern ends with a lone '\\'", at: start) }
        switch scalar {
        case "A":
            position += 1
            return .startAnchor
        case "z", "Z":
            position += 1
            return .endAnchor
        case "b", "B":
            throw KeyPatternError("word boundaries ('\\b', '\\B') are not supported", at: start)
        case "1"..."9", "k", "g":
            throw KeyPatternError("backreferences ('\\1', '\\k<name>') need backtracking and are not supported", at: start)
        default:
            return .scalar(folded(try escapedSet(start: start)))
        }
    }

    /// The set an escape inside or outside a class stands for; the `\` is already consumed.
    private mutating func escapedSet(start: Int) throws(KeyPatternError) -> ScalarSet {
        guard let scalar = current else { throw KeyPatternError("pattern ends with a lone '\\'", at: start) }
        position += 1
        switch scalar {
        case "d": return .digits
        case "D": return ScalarSet.digits.inverted
        case "w": return .wordCharacters
        case "W": return ScalarSet.wordCharacters.inverted
        case "s": return .whitespace
        case "S": return ScalarSet.whitespace.inverted
        case "t": return ScalarSet("\t")
        case "n": return ScalarSet("\n")
        case "r": return ScalarSet("\r")
        case "f": return ScalarSet("\u{0C}")
        case "v": return ScalarSet("\u{0B}")
        case "0": return ScalarSet("\u{0}")
        case "x": return ScalarSet(try hexScalar(start: start, fixedDigits: 2))
        case "u": return ScalarSet(try hexScalar(start: start, fixedDigits: 4))
        default:
            guard scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
                throw KeyPatternError("unknown escape '\\\(scalar)'", at: start)
            }
            return ScalarSet(scalar)
        }
    }

    /// `\xHH`, `\uHHHH` or `\x{H…}`, after the `x` or `u`.
    private mutating func hexScalar(start: Int, fixedDigits: Int) throws(KeyPatternError) -> Unicode.Scalar {
        var digits = ""
        if current == "{" {
            position += 1
            while let scalar = current, scalar != "}", digits.count < 8 {
                digits.unicodeScalars.append(scalar)
                position += 1
            }
            guard current == "}" else { throw KeyPatternError("unterminated '\\x{…}' escape", at: start) }
            position += 1
        } else {
            for _ in 0..<fixedDigits {
                guard let scalar = current else { break }
                digits.unicodeScalars.append(scalar)
                position += 1
            }
        }
        guard !digits.isEmpty, let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else {
            throw KeyPatternError("invalid hexadecimal escape", at: start)
        }
        return scalar
    }

    // MARK: Classes

    private mutating func characterClass() throws(KeyPatternError) -> ScalarSet {
        let start = position
        position += 1
        let negated = current == "^"
        if negated { position += 1 }
        var set = ScalarSet([])
        var first = true
        while true {
            guard let scalar = current else { throw KeyPatternError("unterminated character class; expected ']'", at: start) }
            if scalar == "]" && !first { break }
            first = false
            if scalar == "[" && peek(1) == ":" {
                throw KeyPatternError("POSIX classes ('[:alpha:]') are not supported; use ranges such as 'a-zA-Z'", at: position)
            }
            if scalar == "[" && (peek(1) == "[" || peek(1) == "^") {
                throw KeyPatternError("nested classes and class set operations are not supported", at: position)
            }
            let itemStart = position
            let low = try classItem()
            if current == "-", let next = peek(1), next != "]" {
                position += 1
                let high = try classItem()
                guard let lowScalar = low.single, let highScalar = high.single else {
                    throw KeyPatternError("a class range needs a single character at each end", at: itemStart)
                }
                guard lowScalar <= highScalar else {
                    throw KeyPatternError("class range has its ends in the wrong order", at: itemStart)
                }
                set = set.union(ScalarSet([lowScalar...highScalar]))
            } else {
                set = set.union(low.set)
            }
        }
        position += 1
        set = folded(set)
        return negated ? set.inverted : set
    }

    /// One member of a class: a scalar, or an escape such as `\d`.
    private mutating func classItem() throws(KeyPatternError) -> (set: ScalarSet, single: UInt32?) {
        guard let scalar = current else { throw KeyPatternError("unterminated character class; expected ']'", at: position) }
        if scalar == "\\" {
            let start = position
            position += 1
            if current == "b" {
                position += 1
                return (ScalarSet("\u{08}"), 0x08)
            }
            let set = try escapedSet(start: start)
            let single = set.ranges.count == 1 && set.ranges[0].lowerBound == set.ranges[0].upperBound
            return (set, single ? set.ranges[0].lowerBound : nil)
        }
        position += 1
        return (ScalarSet(scalar), scalar.value)
    }
}
