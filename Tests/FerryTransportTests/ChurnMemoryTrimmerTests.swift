import Testing

@testable import FerryTransport

@Suite("Heap trimming after connection churn")
struct ChurnMemoryTrimmerTests {
    @Test("The heap is trimmed once after a burst of closes, after the debounce")
    func trimsOnceAfterABurst() async throws {
        let trimmer = ChurnMemoryTrimmer(threshold: 8, debounce: .milliseconds(50))
        for _ in 0..<20 { trimmer.connectionClosed() }
        #expect(try await waitUntil { trimmer.trims == 1 })
        // That trim covered every close before it ran; the next one needs the threshold again.
        for _ in 0..<7 { trimmer.connectionClosed() }
        #expect(try await waitUntil(timeout: .milliseconds(300)) { trimmer.trims > 1 } == false)
        trimmer.connectionClosed()
        #expect(try await waitUntil { trimmer.trims == 2 })
    }

    @Test("A few closes do not trim")
    func fewClosesDoNotTrim() async throws {
        let trimmer = ChurnMemoryTrimmer(threshold: 8, debounce: .milliseconds(10))
        for _ in 0..<7 { trimmer.connectionClosed() }
        #expect(try await waitUntil(timeout: .milliseconds(200)) { trimmer.trims > 0 } == false)
    }
}
