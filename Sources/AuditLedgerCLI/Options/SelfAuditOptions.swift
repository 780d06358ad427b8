import ArgumentParser
import AuditCore
import Logging

/// `--self-audit` for the operator commands (retention, restore, quarantine): the action is
/// also recorded as one of AuditLedger's own audit events, written straight into the store.
struct SelfAuditOptions: ParsableArguments {
    @Flag(
        name: .customLong("self-audit"),
        help: """
            Also record this action as an audit event in the store (category security, actor the operating-system user; \
            docs/security.md lists the event types). (env: AUDITLEDGER_SELF_AUDIT=true)
            """)
    var enabled = false

    /// The operating-system user running the command, for `triggered_by` (`cli:<user>`).
    static var user: String { CommandEnvironment.variables["USER"] ?? "unknown" }

    /// The recorder for `store`, or `nil` when off.
    func recorder(for store: any AuditStore, logger: Logger) throws -> (any SelfAuditRecorder)? {
        try resolve(enabled ? true : nil, env: "AUDITLEDGER_SELF_AUDIT", default: false) ? StoreAuditRecorder(store: store, logger: logger) : nil
    }
}

/// Writes AuditLedger's own events straight into the store: a command has no writer or
/// spool. A store that cannot take one is logged as an error; the action stands (it is in the
/// lifecycle log or the quarantine table too).
struct StoreAuditRecorder: SelfAuditRecorder {
    let store: any AuditStore
    let logger: Logger

    func record(_ event: SelfAuditEvent) async {
        do {
            let stored = try event.auditEvent()
            if case .failure(let error)? = try await store.write([EventBatch(events: [stored])]).first { throw error }
        } catch {
            logger.error(
                "the audit event of this action could not be recorded",
                metadata: ["audit.event.type": "\(event.eventType)", "error": "\(AuditError.logDescription(of: error))"])
        }
    }
}
