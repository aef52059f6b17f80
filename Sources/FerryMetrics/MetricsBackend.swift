import CoreMetrics
public import Prometheus

/// Where the metrics of this process are kept: one Prometheus registry behind swift-metrics.
///
/// Until ``bootstrap()`` runs, swift-metrics hands out no-op metrics, so a process with
/// `metrics.listen` unset pays nothing. Bootstrap before the services that count are made: a
/// metric made earlier stays a no-op.
public enum MetricsBackend {
    /// Duration buckets from 0.5 ms (a heartbeat acknowledgement) to 30 s (a long poll).
    static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    private static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Makes swift-metrics record into this process's registry (once; later calls do nothing).
    public static func bootstrap() {
        _ = registry
    }

    /// Every metric in the Prometheus text exposition format.
    public static func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
