public import FerryRPC

extension FerryV1 {
    /// The method descriptors of the `ferry.v1` services, shared by servers and clients.
    public enum Methods {
        /// `ferry.v1.Health`.
        public enum Health {
            /// The service name.
            public static let service = "ferry.v1.Health"
            /// `Check`: the current status of the server or one service.
            public static let check = MethodDescriptor(service: service, method: "Check")
            /// `Watch`: the status now and on every change.
            public static let watch = MethodDescriptor(service: service, method: "Watch")
        }

        /// `ferry.v1.StorageService`: what internal services call.
        public enum StorageService {
            /// The service name.
            public static let service = "ferry.v1.StorageService"
            /// `CreateStorage`.
            public static let createStorage = MethodDescriptor(service: service, method: "CreateStorage")
            /// `GetStorage`.
            public static let getStorage = MethodDescriptor(service: service, method: "GetStorage")
            /// `UpdateStorage`.
            public static let updateStorage = MethodDescriptor(service: service, method: "UpdateStorage")
            /// `DeleteStorage`.
            public static let deleteStorage = MethodDescriptor(service: service, method: "DeleteStorage")
            /// `ListStorages`.
            public static let listStorages = MethodDescriptor(service: service, method: "ListStorages")
            /// `StartSync`.
            public static let startSync = MethodDescriptor(service: service, method: "StartSync")
            /// `CancelSync`.
            public static let cancelSync = MethodDescriptor(service: service, method: "CancelSync")
            /// `DeleteJob`.
            public static let deleteJob = MethodDescriptor(service: service, method: "DeleteJob")
            /// `ListTasks` (server streaming).
            public static let listTasks = MethodDescriptor(service: service, method: "ListTasks")
            /// `PutAnnotations`.
            public static let putAnnotations = MethodDescriptor(service: service, method: "PutAnnotations")
            /// `DeleteAnnotations`.
            public static let deleteAnnotations = MethodDescriptor(service: service, method: "DeleteAnnotations")
            /// `ListDatasetObjects`.
            public static let listDatasetObjects = MethodDescriptor(service: service, method: "ListDatasetObjects")
            /// `ListWorkers`.
            public static let listWorkers = MethodDescriptor(service: service, method: "ListWorkers")
            /// `WatchStorages` (server streaming).
            public static let watchStorages = MethodDescriptor(service: service, method: "WatchStorages")
            /// `ListJobs`.
            public static let listJobs = MethodDescriptor(service: service, method: "ListJobs")
        }

        /// `ferry.v1.WorkerService`: what sync workers call.
        public enum WorkerService {
            /// The service name.
            public static let service = "ferry.v1.WorkerService"
            /// `AcquireJob` (long poll).
            public static let acquireJob = MethodDescriptor(service: service, method: "AcquireJob")
            /// `Heartbeat` (bidirectional).
            public static let heartbeat = MethodDescriptor(service: service, method: "Heartbeat")
            /// `CheckImportKeys`.
            public static let checkImportKeys = MethodDescriptor(service: service, method: "CheckImportKeys")
            /// `SubmitImportBatch`.
            public static let submitImportBatch = MethodDescriptor(service: service, method: "SubmitImportBatch")
            /// `FetchExportBatch`.
            public static let fetchExportBatch = MethodDescriptor(service: service, method: "FetchExportBatch")
            /// `AckExportBatch`.
            public static let ackExportBatch = MethodDescriptor(service: service, method: "AckExportBatch")
            /// `UpsertDatasetObjects`.
            public static let upsertDatasetObjects = MethodDescriptor(service: service, method: "UpsertDatasetObjects")
            /// `CompleteDatasetScan`.
            public static let completeDatasetScan = MethodDescriptor(service: service, method: "CompleteDatasetScan")
            /// `ReportProbe`.
            public static let reportProbe = MethodDescriptor(service: service, method: "ReportProbe")
        }
    }
}
