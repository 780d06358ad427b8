import AuditCore
import AuditLedgerClient
import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The events `auditledger-bench client-load` records: event `i` of a seed always has the same
/// id and content, so that a client started again after a crash records the same events again
/// (stored once), and the fault checks know every id to look for.
enum ClientLoad {
    /// A version 8 UUID from the seed and the index.
    static func eventID(seed: UInt64, index: Int) -> UUID {
        UUID(version: 8, bytes: Array(SHA256.hash(data: Array("auditledger-bench/client-load/\(seed)/\(index)".utf8))))
    }

    /// Event `index`: a gateway signal of one of 100 remediations, about 900 bytes, at `base`
    /// plus `index` milliseconds.
    static func event(seed: UInt64, index: Int, base: AuditTimestamp) -> GatewaySignalEvent {
        let correlation = "rr-client-\(seed)-\(index / 10)"
        return GatewaySignalEvent(
            envelope: EventEnvelope(
                service: "gateway", correlationID: correlation, timestamp: base.adding(microseconds: Int64(index) * 1000),
                eventID: eventID(seed: seed, index: index), severity: "critical",
                sourcePayload: .object(
                    JSONObject([
                        .init(key: "alertname", value: .string("KubePodCrashLooping")),
                        .init(key: "description", value: .string(String(repeating: "restarts observed; ", count: 20))),
                    ]))),
            kind: index % 10 == 0 ? .received : .deduplicated, signalName: "KubePodCrashLooping", fingerprint: "fp-\(seed)-\(index / 10)",
            namespace: "payments-prod", resourceKind: "Pod", resourceName: "api-\(index % 7)", remediationRequest: "payments-prod/\(correlation)",
            occurrenceCount: index % 10 + 1, signalLabels: ["team": "payments", "severity": "critical"])
    }
}
