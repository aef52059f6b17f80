import FerryRPC
import Testing

/// `Wakeup`: timed waits end early on a wake-up, on time otherwise, and never miss a wake-up
/// that came between looking and waiting.
struct WakeupTests {
    @Test func timedWaitEndsWithoutAWakeup() async {
        let wakeup = Wakeup()
        #expect(await wakeup.wait(after: 0, upTo: .milliseconds(20)) == false)
    }

    @Test func wakeEndsAWaitEarly() async {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        async let woke = wakeup.wait(after: 0, upTo: .seconds(60))
        try? await Task.sleep(for: .milliseconds(20))
        wakeup.wake()
        #expect(await woke == true)
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func aWakeupBeforeTheWaitIsNotMissed() async {
        let wakeup = Wakeup()
        let seen = wakeup.generation
        wakeup.wake()  // Between looking and waiting.
        let start = ContinuousClock.now
        #expect(await wakeup.wait(after: seen, upTo: .seconds(60)))
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(wakeup.generation == seen + 1)
    }

    @Test func cancellationEndsAnUntimedWait() async {
        let wakeup = Wakeup()
        let waiter = Task { await wakeup.wait(after: 0) }
        try? await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await waiter.value
        #expect(wakeup.generation == 0)
    }
}
