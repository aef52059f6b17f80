// libFuzzer harness for protobuf message decoding (`FerryV1.<Message>(protobufBytes:)`).
//
// Input: byte 0 picks the message type (index into `messageTypes`, sorted by full proto name,
// modulo its count); the rest is the encoding to decode.
//
// Properties checked (a violation traps, which libFuzzer reports as a crash):
// - decoding never crashes or leaks, and the only error it throws is `ProtoCodingError`;
// - a decoded message encodes again (no error), that encoding decodes to an equal message,
//   and encoding that message gives the same bytes (a round trip and a stable encoding).
//
// Built only with FERRY_FUZZ set; see Fuzz/README.md. scripts/fuzz-seeds.py reads the list
// below to number the seed files, and fails if it misses a message of Proto/ferry/v1.

import FerryProto

/// Every `ferry.v1` message, in the order of their full proto names.
let messageTypes: [any FerryMessage.Type] = {
    let types: [any FerryMessage.Type] = [
        FerryV1.AckExportBatchRequest.self,
        FerryV1.AckExportBatchResponse.self,
        FerryV1.AcquireJobRequest.self,
        FerryV1.AcquireJobResponse.self,
        FerryV1.Annotation.self,
        FerryV1.AnnotationInput.self,
        FerryV1.AzureBlobLocation.self,
        FerryV1.CancelSyncRequest.self,
        FerryV1.CancelSyncResponse.self,
        FerryV1.CheckImportKeysRequest.self,
        FerryV1.CheckImportKeysResponse.self,
        FerryV1.CompleteDatasetScanRequest.self,
        FerryV1.CompleteDatasetScanResponse.self,
        FerryV1.CreateStorageRequest.self,
        FerryV1.CreateStorageResponse.self,
        FerryV1.DatasetObject.self,
        FerryV1.DeleteAnnotationsRequest.self,
        FerryV1.DeleteAnnotationsResponse.self,
        FerryV1.DeleteJobRequest.self,
        FerryV1.DeleteJobResponse.self,
        FerryV1.DeleteStorageRequest.self,
        FerryV1.DeleteStorageResponse.self,
        FerryV1.ExportAck.self,
        FerryV1.ExportItem.self,
        FerryV1.FetchExportBatchRequest.self,
        FerryV1.FetchExportBatchResponse.self,
        FerryV1.GCSLocation.self,
        FerryV1.GetStorageRequest.self,
        FerryV1.GetStorageResponse.self,
        FerryV1.HealthCheckRequest.self,
        FerryV1.HealthCheckResponse.self,
        FerryV1.HeartbeatRequest.self,
        FerryV1.HeartbeatResponse.self,
        FerryV1.ImportTask.self,
        FerryV1.ItemError.self,
        FerryV1.Job.self,
        FerryV1.JobLease.self,
        FerryV1.JobOutcome.self,
        FerryV1.KeyValue.self,
        FerryV1.ListStoragesRequest.self,
        FerryV1.ListStoragesResponse.self,
        FerryV1.ListTasksRequest.self,
        FerryV1.ListTasksResponse.self,
        FerryV1.LocalLocation.self,
        FerryV1.PutAnnotationsRequest.self,
        FerryV1.PutAnnotationsResponse.self,
        FerryV1.RedisLocation.self,
        FerryV1.S3Location.self,
        FerryV1.Secret.self,
        FerryV1.StartSyncRequest.self,
        FerryV1.StartSyncResponse.self,
        FerryV1.Storage.self,
        FerryV1.StorageFilter.self,
        FerryV1.StorageSpec.self,
        FerryV1.SubmitImportBatchRequest.self,
        FerryV1.SubmitImportBatchResponse.self,
        FerryV1.SyncCheckpoint.self,
        FerryV1.SyncCounters.self,
        FerryV1.SyncInfo.self,
        FerryV1.SyncMeta.self,
        FerryV1.SyncOptions.self,
        FerryV1.Task.self,
        FerryV1.TaskLink.self,
        FerryV1.TaskSource.self,
        FerryV1.UpdateStorageRequest.self,
        FerryV1.UpdateStorageResponse.self,
        FerryV1.UpsertDatasetObjectsRequest.self,
        FerryV1.UpsertDatasetObjectsResponse.self,
        FerryV1.WorkerCapabilities.self,
    ]
    return types.sorted { $0.protoMessageName < $1.protoMessageName }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let messageType = messageTypes[Int(data[0]) % messageTypes.count]
    roundTrip(messageType, Array(UnsafeBufferPointer(start: data + 1, count: size - 1)))
    return 0
}

/// Decodes `bytes` as `Message` and, if that succeeds, checks the round trip.
func roundTrip<Message: FerryMessage>(_: Message.Type, _ bytes: [UInt8]) {
    let name = Message.protoMessageName
    let decoded: Message
    do {
        decoded = try Message(protobufBytes: bytes)
    } catch is ProtoCodingError {
        return  // Malformed input, rejected as documented.
    } catch {
        fatalError("Decoding \(name) threw something other than ProtoCodingError: \(type(of: error)): \(error)")
    }
    let encoded: [UInt8]
    do {
        encoded = try decoded.protobufBytes()
    } catch {
        fatalError("A decoded \(name) does not encode: \(error)\n  value: \(decoded)")
    }
    let again: Message
    do {
        again = try Message(protobufBytes: encoded)
    } catch {
        fatalError("The encoding of a decoded \(name) does not decode: \(error)\n  value: \(decoded)\n  bytes: \(encoded)")
    }
    precondition(again == decoded, "Round trip changed a \(name):\n  decoded:    \(decoded)\n  re-decoded: \(again)")
    let encodedAgain: [UInt8]
    do {
        encodedAgain = try again.protobufBytes()
    } catch {
        fatalError("A re-decoded \(name) does not encode: \(error)")
    }
    precondition(encodedAgain == encoded, "Encoding of \(name) is not stable:\n  first:  \(encoded)\n  second: \(encodedAgain)")
}
