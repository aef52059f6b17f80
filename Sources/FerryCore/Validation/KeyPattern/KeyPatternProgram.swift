/// A compiled `regex_filter`: the instructions of a Thompson NFA (Russ Cox's "Regular
/// Expression Matching Can Be Simple And Fast" construction), which ``KeyPatternMatcher`` runs
/// in time proportional to the key's length times the program's size, never more.
///
/// Counted repetitions are expanded (`a{3,5}` becomes `aaa` and two optional `a`s), so the
/// program's size, and with it the cost per key character, is capped at ``maxInstructions``.
struct KeyPatternProgram: Sendable, Hashable {
    /// One step of the NFA.
    enum Instruction: Sendable, Hashable {
        /// Consume one scalar if it is in the set, then go on to the next instruction.
        case consume(ScalarSet)
        /// Continue at both targets.
        case split(Int, Int)
        /// Continue at the target.
        case jump(Int)
        /// Continue only at the start of the key.
        case assertStart
        /// Continue only at the end of the key.
        case assertEnd
        /// The whole pattern matched here.
        case match
    }

    /// The most instructions a pattern may compile to.
    static let maxInstructions = 2_000

    /// The instructions; execution starts at 0.
    let instructions: [Instruction]

    /// Compiles a syntax tree.
    ///
    /// - Parameter node: The parsed pattern.
    /// - Throws: ``KeyPatternError`` when the program would exceed ``maxInstructions``.
    init(_ node: KeyPatternNode) throws(KeyPatternError) {
        var compiler = Compiler()
        try compiler.emit(node)
        try compiler.append(.match)
        instructions = compiler.instructions
    }

    private struct Compiler {
        var instructions: [Instruction] = []

        mutating func append(_ instruction: Instruction) throws(KeyPatternError) {
            guard instructions.count < KeyPatternProgram.maxInstructions else {
                throw KeyPatternError(
                    "the pattern is too large: it expands to more than \(KeyPatternProgram.maxInstructions) steps "
                        + "(counted repetitions such as {100} are expanded); simplify it",
                    at: 0
                )
            }
            instructions.append(instruction)
        }

        /// Appends a placeholder to be patched once its targets are known.
        mutating func placeholder() throws(KeyPatternError) -> Int {
            try append(.match)
            return instructions.count - 1
        }

        mutating func emit(_ node: KeyPatternNode) throws(KeyPatternError) {
            switch node {
            case .empty:
                break
            case .scalar(let set):
                try append(.consume(set))
            case .startAnchor:
                try append(.assertStart)
            case .endAnchor:
                try append(.assertEnd)
            case .sequence(let parts):
                for part in parts { try emit(part) }
            case .alternation(let branches):
                try emitAlternation(branches[...])
            case .repetition(let body, let min, let max):
                for _ in 0..<min { try emit(body) }
                if let max {
                    try emitOptional(body, count: max - min)
                } else {
                    try emitStar(body)
                }
            }
        }

        /// `a|b|c` as `split(a, split(b, c))`, each branch jumping past the rest.
        private mutating func emitAlternation(_ branches: ArraySlice<KeyPatternNode>) throws(KeyPatternError) {
            guard let first = branches.first else { return }
            guard branches.count > 1 else { return try emit(first) }
            let split = try placeholder()
            try emit(first)
            let jump = try placeholder()
            let rest = instructions.count
            try emitAlternation(branches.dropFirst())
            instructions[split] = .split(split + 1, rest)
            instructions[jump] = .jump(instructions.count)
        }

        /// `body*`: `L: split(body, out); body; jump L`.
        private mutating func emitStar(_ body: KeyPatternNode) throws(KeyPatternError) {
            let split = try placeholder()
            try emit(body)
            try append(.jump(split))
            instructions[split] = .split(split + 1, instructions.count)
        }

        /// Up to `count` more copies of `body`, each optional and each only after the previous:
        /// `(body(body(body)?)?)?`.
        private mutating func emitOptional(_ body: KeyPatternNode, count: Int) throws(KeyPatternError) {
            var splits: [Int] = []
            for _ in 0..<count {
                splits.append(try placeholder())
                try emit(body)
            }
            let out = instructions.count
            for split in splits { instructions[split] = .split(split + 1, out) }
        }
    }
}
