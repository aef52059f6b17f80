import Testing

@testable import FerryTransport

@Suite("Heap trimming after connection churn")
struct ChurnMemoryTrimmerTests {
    @Test("The heap is trimmed once after a burst of closes, once they stop")
    func trimsOnceAfterABurst() async throws {
        let trimmer = ChurnMemoryTrimmer(threshold: 8, quietPeriod: .milliseconds(50))
        for _ in 0..<20 { trimmer.connectionClosed() }
        #expect(try await waitUntil { trimmer.trims == 1 })
        // That trim covered every close before it ran; the next one needs the threshold again.
        for _ in 0..<7 { trimmer.connectionClosed() }
        #expect(try await waitUntil(timeout: .milliseconds(300)) { trimmer.trims > 1 } == false)
        trimmer.connectionClosed()
        #expect(try await waitUntil { trimmer.trims == 2 })
    }

    @Test("Connections that keep closing are trimmed at the latest after the maximum delay")
    func steadyChurnIsTrimmedAfterTheMaximumDelay() async throws {
        let trimmer = ChurnMemoryTrimmer(threshold: 8, quietPeriod: .seconds(60), maximumDelay: .milliseconds(100))
        for _ in 0..<8 { trimmer.connectionClosed() }
        // Closes keep coming well within the quiet period, yet the trim comes.
        let trimmed = try await waitUntil(timeout: .seconds(5)) {
            trimmer.connectionClosed()
            return trimmer.trims == 1
        }
        #expect(trimmed)
    }

    @Test("A few closes do not trim")
    func fewClosesDoNotTrim() async throws {
        let trimmer = ChurnMemoryTrimmer(threshold: 8, quietPeriod: .milliseconds(10))
        for _ in 0..<7 { trimmer.connectionClosed() }
        #expect(try await waitUntil(timeout: .milliseconds(200)) { trimmer.trims > 0 } == false)
    }
}
