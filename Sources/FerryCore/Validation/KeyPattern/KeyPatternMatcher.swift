/// Runs a ``KeyPatternProgram`` over a key as a Pike VM without captures: the set of NFA
/// states is advanced one Unicode scalar at a time, each state at most once per position, so a
/// match costs O(key length × program size) whatever the pattern. `(a+)+$` on forty `a`s and
/// a `!` takes a few hundred steps, not 2⁴⁰.
struct KeyPatternMatcher {
    /// The program, flattened into arrays so the inner loop copies no payloads.
    private struct Flat {
        enum Kind: UInt8 { case consume, split, jump, assertStart, assertEnd, match }
        var kinds: [Kind] = []
        /// The set index of a `consume`, or the first target of a `split` or `jump`.
        var first: [Int] = []
        /// The second target of a `split`.
        var second: [Int] = []
        var sets: [ScalarSet] = []
    }

    private let flat: Flat
    private var current: StateSet
    private var next: StateSet
    private var stack: [Int] = []

    /// Creates a matcher with room for the program's states.
    init(_ program: KeyPatternProgram) {
        var flat = Flat()
        for instruction in program.instructions {
            var kind = Flat.Kind.match
            var first = 0
            var second = 0
            switch instruction {
            case .consume(let set):
                kind = .consume
                first = flat.sets.count
                flat.sets.append(set)
            case .split(let a, let b):
                kind = .split
                first = a
                second = b
            case .jump(let target):
                kind = .jump
                first = target
            case .assertStart: kind = .assertStart
            case .assertEnd: kind = .assertEnd
            case .match: kind = .match
            }
            flat.kinds.append(kind)
            flat.first.append(first)
            flat.second.append(second)
        }
        self.flat = flat
        current = StateSet(capacity: flat.kinds.count)
        next = StateSet(capacity: flat.kinds.count)
    }

    /// Whether the program matches the whole key.
    mutating func matchesWhole(_ key: String) -> Bool {
        let scalars = key.unicodeScalars
        let length = scalars.count
        current.clear()
        Self.add(0, to: &current, position: 0, length: length, flat: flat, stack: &stack)
        var position = 0
        for scalar in scalars {
            if current.isEmpty { return false }
            next.clear()
            for index in 0..<current.count {
                let pc = current[index]
                if flat.kinds[pc] == .consume, flat.sets[flat.first[pc]].contains(scalar.value) {
                    Self.add(pc + 1, to: &next, position: position + 1, length: length, flat: flat, stack: &stack)
                }
            }
            swap(&current, &next)
            position += 1
        }
        for index in 0..<current.count where flat.kinds[current[index]] == .match {
            return true
        }
        return false
    }

    /// Adds a state and every state reachable from it without consuming, at `position`.
    private static func add(
        _ start: Int,
        to set: inout StateSet,
        position: Int,
        length: Int,
        flat: Flat,
        stack: inout [Int]
    ) {
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        while let pc = stack.popLast() {
            guard set.insert(pc) else { continue }
            switch flat.kinds[pc] {
            case .split:
                stack.append(flat.second[pc])
                stack.append(flat.first[pc])
            case .jump:
                stack.append(flat.first[pc])
            case .assertStart:
                if position == 0 { stack.append(pc + 1) }
            case .assertEnd:
                if position == length { stack.append(pc + 1) }
            case .consume, .match:
                break
            }
        }
    }
}

/// A sparse set of program counters with O(1) insert, membership and clear (Briggs & Torczon).
private struct StateSet {
    private var dense: [Int]
    private var sparse: [Int]
    private(set) var count = 0

    init(capacity: Int) {
        dense = Array(repeating: 0, count: capacity)
        sparse = Array(repeating: 0, count: capacity)
    }

    var isEmpty: Bool { count == 0 }

    subscript(index: Int) -> Int { dense[index] }

    mutating func clear() { count = 0 }

    /// Inserts `value`; false if it was already there.
    mutating func insert(_ value: Int) -> Bool {
        let slot = sparse[value]
        if slot < count && dense[slot] == value { return false }
        sparse[value] = count
        dense[count] = value
        count += 1
        return true
    }
}
