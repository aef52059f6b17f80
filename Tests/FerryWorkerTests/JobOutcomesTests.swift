import FerryProviders
import FerryCore
import FerryProto
import FerryRPC
import Testing

@testable import FerryWorker

/// The terminal outcome of a job, from how its loop ended and why it was stopped.
struct JobOutcomesTests {
    private func outcome(
        error: (any Error)? = nil,
        stop: JobControl.StopReason? = nil,
        failedValidation: Int64 = 0,
        itemErrors: [FerryV1.ItemError] = []
    ) -> FerryV1.JobOutcome? {
        JobOutcomes.outcome(
            error: error,
            stopReason: stop,
            counters: FerryV1.SyncCounters(synced: 7, failedValidation: failedValidation),
            itemErrors: itemErrors,
            workerID: "'w-1' (instance i-1)"
        )
    }

    @Test func finishedCleanlyIsCompleted() {
        #expect(outcome()?.result == .completed)
    }

    @Test func validationFailuresMakeCompletedWithErrorsListingThem() {
        let errors = [FerryV1.ItemError(key: "a.json", rowIndex: 2, message: "Task data is not a JSON object")]
        let result = outcome(failedValidation: 3, itemErrors: errors)
        #expect(result?.result == .completedWithErrors)
        #expect(result?.itemErrors == errors)
        #expect(result?.traceback.contains("3 tasks failed validation") == true)
        #expect(result?.traceback.contains("a.json row 2: Task data is not a JSON object") == true)
    }

    @Test func brokenFileFailsNamingItAndTheLine() {
        let result = outcome(error: TaskFileError(key: "dir/x.json", line: 4, message: "not valid JSON"))
        #expect(result?.result == .failed)
        #expect(result?.traceback == "Task file is not valid task JSON: dir/x.json, line 4: not valid JSON")
    }

    @Test func cancelIsConfirmedAsCancelledWhateverTheLoopThrew() {
        #expect(outcome(error: CancellationError(), stop: .cancelRequested)?.result == .cancelled)
    }

    @Test func aLoopThatFinishedReportsItsResultEvenIfAStopCameLast() {
        #expect(outcome(stop: .cancelRequested)?.result == .completed)
        #expect(outcome(stop: .shuttingDown)?.result == .completed)
    }

    @Test func shutdownFailsSayingSo() {
        let result = outcome(error: CancellationError(), stop: .shuttingDown)
        #expect(result?.result == .failed)
        #expect(result?.traceback.hasPrefix("Worker shutting down: worker 'w-1' (instance i-1) received SIGTERM") == true)
    }

    @Test func lostLeaseReportsNothing() {
        #expect(outcome(stop: .leaseLost("settled")) == nil)
        let rejection = RPCError(
            code: .failedPrecondition, message: "stop",
            metadata: [LeaseRejection.metadataKey: LeaseRejection.notCurrent])
        #expect(outcome(error: rejection) == nil)
    }

    @Test func otherFailuresCarryTheirDescription() {
        let result = outcome(error: ProviderError(subject: "big.json", message: "is too large"))
        #expect(result?.traceback == "Cannot read the storage: big.json: is too large")
    }
}
