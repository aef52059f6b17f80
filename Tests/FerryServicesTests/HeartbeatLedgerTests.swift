import FerryCore
import Testing

@testable import FerryServices

/// How the ledger coalesces heartbeat writes: the first at once, then one write per ping interval,
/// and a coalesced heartbeat in the next free slot, never more than one interval away.
@Suite struct HeartbeatLedgerTests {
    static let t0 = FerryTime(unixMicroseconds: 1_800_000_000_000_000)
    static let policy = TerminationPolicy(pingInterval: .seconds(10))

    @Test func writesTheFirstHeartbeatAtOnceThenOnePerInterval() {
        let ledger = HeartbeatLedger(policy: Self.policy, startedAt: Self.t0)
        let at = { (seconds: Int64) in Self.t0 + .seconds(seconds) }
        ledger.claimed(jobID: "j", at: at(0))
        #expect(ledger.received(jobID: "j", at: at(1)) == .now)  // The first heartbeat.
        #expect(ledger.received(jobID: "j", at: at(3)) == .at(at(11)))
        #expect(ledger.received(jobID: "j", at: at(6)) == .at(at(11)))  // Joins the waiting write.
        #expect(ledger.received(jobID: "j", at: at(13)) == .at(at(21)))
        #expect(ledger.received(jobID: "j", at: at(45)) == .now)  // After a gap: at once.
        #expect(ledger.evidence(jobID: "j").lastReceived == at(45))
    }

    @Test func silenceIsJudgedFromTheNewestHeartbeatAndUnknownJobsAskTheStore() {
        let ledger = HeartbeatLedger(policy: Self.policy, startedAt: Self.t0)
        #expect(ledger.wasSilent(jobID: "j", before: Self.t0) == nil)
        ledger.claimed(jobID: "j", at: Self.t0)
        _ = ledger.received(jobID: "j", at: Self.t0 + .seconds(30))
        #expect(ledger.wasSilent(jobID: "j", before: Self.t0 + .seconds(80)) == false)
        #expect(ledger.wasSilent(jobID: "j", before: Self.t0 + .seconds(80) + .microseconds(1)) == true)
        ledger.forget(jobID: "j")
        #expect(ledger.evidence(jobID: "j") == HeartbeatEvidence(serverStartedAt: Self.t0))
    }
}
