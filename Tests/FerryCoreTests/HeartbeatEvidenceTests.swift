import Testing

@testable import FerryCore

/// Detection measures silence from the newest heartbeat the server acknowledged, not only the
/// stored one, and allows for a previous server process after a restart.
@Suite struct HeartbeatEvidenceTests {
    static let tick = FerryDuration.microseconds(1)
    static let detector = TerminationDetector(policy: TerminationPolicy(pingInterval: .seconds(10)))
    static let staleAfter = detector.policy.staleAfter

    @Test("A coalesced heartbeat newer than the stored ping postpones the verdict to stale_after after it")
    func coalescedHeartbeat() throws {
        let info = Fixture.inProgress()  // Stored ping: the claim at t0.
        let beat = Fixture.t0 + .milliseconds(9_900)
        let evidence = HeartbeatEvidence(lastReceived: beat, serverStartedAt: Fixture.t0 - .hours(1))
        let job = Fixture.runningJob()
        #expect(Self.detector.evaluate(info, job: job, heartbeats: evidence, now: beat + Self.staleAfter) == nil)
        let verdict = try #require(
            Self.detector.evaluate(info, job: job, heartbeats: evidence, now: beat + Self.staleAfter + Self.tick))
        #expect(verdict.reason == .heartbeatTimeout)
        #expect(verdict.traceback.contains("for \(Self.staleAfter + Self.tick)"), "\(verdict.traceback)")
        #expect(verdict.traceback.contains("last ping:    \(beat.iso8601)"), "\(verdict.traceback)")
        #expect(!verdict.traceback.contains("server start"), "\(verdict.traceback)")
        // Without the evidence, the stored ping alone would have given the verdict 9.9 s earlier.
        #expect(Self.detector.evaluate(info, job: job, now: Fixture.t0 + Self.staleAfter + Self.tick) != nil)
    }

    @Test("An older received heartbeat never moves silence back before the stored ping")
    func storedPingIsNewer() {
        let evidence = HeartbeatEvidence(lastReceived: Fixture.t0 - .seconds(30))
        #expect(evidence.lastHeartbeat(stored: Fixture.t0) == Fixture.t0)
        #expect(evidence.silenceStart(stored: Fixture.t0) == Fixture.t0)
    }

    @Test("After a restart, silence counts from the start until this process hears from the job")
    func restartedServer() throws {
        let info = Fixture.inProgress()
        let job = Fixture.runningJob()
        let started = Fixture.t0 + .seconds(20)
        let evidence = HeartbeatEvidence(serverStartedAt: started)
        #expect(Self.detector.evaluate(info, job: job, heartbeats: evidence, now: started + Self.staleAfter) == nil)
        let verdict = try #require(
            Self.detector.evaluate(info, job: job, heartbeats: evidence, now: started + Self.staleAfter + Self.tick))
        #expect(verdict.reason == .heartbeatTimeout)
        // The traceback still names the stored heartbeat and its true age, and says why it waited.
        #expect(verdict.traceback.contains("for \(Self.staleAfter + .seconds(20) + Self.tick)"), "\(verdict.traceback)")
        #expect(verdict.traceback.contains("server start: \(started.iso8601)"), "\(verdict.traceback)")

        // A heartbeat received by this process counts from that heartbeat, not the start.
        let heard = HeartbeatEvidence(lastReceived: started + .seconds(1), serverStartedAt: started)
        #expect(heard.silenceStart(stored: Fixture.t0) == started + .seconds(1))
        // A stored ping newer than the start needs no allowance.
        #expect(evidence.silenceStart(stored: started + .seconds(5)) == started + .seconds(5))
    }

    @Test("Evidence never changes the other rules")
    func otherRulesUnaffected() {
        let queued = Fixture.queued()
        let evidence = HeartbeatEvidence(lastReceived: Fixture.t0 + .hours(5), serverStartedAt: Fixture.t0 + .hours(5))
        let verdict = Self.detector.evaluate(
            queued, job: .present(ObservedJob(jobID: "job-1", state: .queued)), heartbeats: evidence,
            now: Fixture.t0 + .hours(2))
        #expect(verdict?.reason == .queueTimeout)
        #expect(Self.detector.evaluate(Fixture.inProgress(), job: .missing, heartbeats: evidence, now: Fixture.t0)?.reason == .jobMissing)
    }
}
