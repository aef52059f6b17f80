import Testing

@testable import FerryWorker

/// The heartbeat timer's wake-up: a timed wait ends early when signalled, and on time otherwise.
struct WakeSignalTests {
    @Test func timedWaitEndsWithoutTheSignal() async {
        let signal = WakeSignal()
        #expect(await signal.wait(upTo: .milliseconds(20)) == false)
    }

    @Test func signalEndsAWaitEarly() async {
        let signal = WakeSignal()
        let start = ContinuousClock.now
        async let woke = signal.wait(upTo: .seconds(60))
        try? await Task.sleep(for: .milliseconds(20))
        signal.signal()
        #expect(await woke == true)
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func signalStays() async {
        let signal = WakeSignal()
        signal.signal()
        await signal.wait()
        #expect(await signal.wait(upTo: .seconds(60)))
    }

    @Test func readGroupsBoundBytesButKeepAtLeastOneObject() {
        let big = ImportRunner.readGroupBytes
        let objects = [
            ListedObject(key: "a", size: big / 2), ListedObject(key: "b", size: big / 2), ListedObject(key: "c", size: 1),
            ListedObject(key: "huge", size: big * 3), ListedObject(key: "d", size: 1),
        ]
        let groups = ImportRunner.readGroups(objects).map { $0.map(\.key) }
        #expect(groups == [["a", "b"], ["c"], ["huge"], ["d"]])
    }
}
