import Synchronization
import Testing

@testable import FerryStore

/// `DecodedTextMemo`: a text is decoded once and then remembered, a failure is not, and at its
/// limit the memo starts over instead of growing.
struct DecodedTextMemoTests {
    private struct Failure: Error {}

    @Test func decodesEachTextOnce() throws {
        let memo = DecodedTextMemo<Int>(limit: 10)
        let calls = Atomic<Int>(0)
        let decode: (String) throws -> Int = { text in
            calls.add(1, ordering: .relaxed)
            return text.count
        }
        #expect(try memo.value(for: "abc", decode: decode) == 3)
        #expect(try memo.value(for: "abc", decode: decode) == 3)
        #expect(try memo.value(for: "abcd", decode: decode) == 4)
        #expect(calls.load(ordering: .relaxed) == 2)
    }

    @Test func failuresAreNotRemembered() throws {
        let memo = DecodedTextMemo<Int>(limit: 10)
        #expect(throws: Failure.self) { try memo.value(for: "x") { _ in throw Failure() } }
        #expect(memo.value(for: "x") { _ in 7 } == 7)
    }

    @Test func startsOverAtItsLimit() throws {
        let memo = DecodedTextMemo<Int>(limit: 2)
        let calls = Atomic<Int>(0)
        let decode: (String) throws -> Int = { text in
            calls.add(1, ordering: .relaxed)
            return text.count
        }
        _ = try memo.value(for: "a", decode: decode)
        _ = try memo.value(for: "bb", decode: decode)
        _ = try memo.value(for: "ccc", decode: decode)  // Full: forgets "a" and "bb".
        _ = try memo.value(for: "a", decode: decode)
        #expect(calls.load(ordering: .relaxed) == 4)
    }
}
