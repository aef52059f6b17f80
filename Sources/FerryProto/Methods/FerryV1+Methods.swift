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
    }
}
