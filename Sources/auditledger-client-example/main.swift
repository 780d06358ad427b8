// A producer's side of one remediation, recorded through AuditLedgerClient:
//
//   swift run auditledger-client-example http://127.0.0.1:8080 [SPOOL_DIRECTORY]
//
// The client runs as a ServiceLifecycle service beside the producer's own; record() returns at
// once (the event is in the spool), the client sends in the background, retries for as long as
// it takes, and sends what is left after a restart. Then query the remediation:
//
//   curl -s 'http://127.0.0.1:8080/api/v1/audit/events?correlation_id=<printed id>&order=asc'
import AuditCore
import AuditLedgerClient
import Foundation
import Logging
import ServiceLifecycle

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: auditledger-client-example URL [SPOOL_DIRECTORY]\n".utf8))
    exit(2)
}
let spool = arguments.count >= 3 ? arguments[2] : NSTemporaryDirectory() + "auditledger-example-spool"
let logger = {
    var logger = Logger(label: "auditledger-client-example")
    logger.logLevel = .warning
    return logger
}()

let client = try await AuditLedgerClient(
    configuration: AuditLedgerClientConfiguration(
        baseURL: arguments[1], spoolDirectory: spool,
        onSetAside: { [logger] event in
            logger.error("an event was set aside", metadata: ["detail": "\(event.detail)", "fields": "\(event.fields)"])
        }),
    logger: logger)
let services = ServiceGroup(configuration: .init(services: [client], logger: logger))

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await services.run() }

    let remediation = "rr-example-\(UUID().uuidString.prefix(8).lowercased())"
    func envelope(_ service: String, parent: UUID? = nil) -> EventEnvelope {
        EventEnvelope(service: service, correlationID: remediation, eventID: UUID(), parentEventID: parent, namespace: "payments-prod")
    }
    // The gateway receives an alert; its payload's token is redacted before it is kept.
    let signal = GatewaySignalEvent(
        envelope: envelope("gateway"), kind: .received, signalName: "KubePodCrashLooping", fingerprint: "fp-\(remediation)",
        namespace: "payments-prod", resourceKind: "Deployment", resourceName: "checkout",
        originalPayload: .object(
            JSONObject([.init(key: "alertname", value: .string("KubePodCrashLooping")), .init(key: "token", value: .string("s3cr3t"))])))
    let signalID = client.record(signal).eventID
    // The AI analysis picks a workflow; the catalog search says why.
    let analysis = AIAnalysisEvent(
        envelope: envelope("aianalysis", parent: signalID), analysisName: "ai-\(remediation)", namespace: "payments-prod", confidence: 0.91,
        workflowID: "restart-deployment-v1", llmProvider: "openai", llmModel: "gpt-4o")
    let analysisID = client.record(analysis).eventID
    let search = WorkflowSearchEvent(
        envelope: envelope("workflow-catalog", parent: analysisID), queryText: "deployment pods crash looping after a config change",
        filters: JSONObject([.init(key: "environment", value: .string("production"))]), topK: 3, totalFound: 12,
        workflows: [
            .init(
                workflowID: "restart-deployment-v1", version: "1.4.0", rank: 1,
                scoring: .init(confidence: 0.91, baseSimilarity: 0.86, labelBoost: 0.05, boostBreakdown: ["environment": 0.05])),
            .init(
                workflowID: "rollback-config-v2", version: "2.1.0", rank: 2,
                scoring: .init(confidence: 0.74, baseSimilarity: 0.77, labelPenalty: 0.03, penaltyBreakdown: ["risk": 0.03])),
        ])
    client.record(search)
    // The workflow runs and finishes; the notification goes out.
    let execution = "we-\(remediation)"
    let started = WorkflowExecutionEvent(
        envelope: envelope("workflowexecution", parent: analysisID), stage: .started, workflowID: "restart-deployment-v1",
        workflowVersion: "1.4.0", targetResource: "payments-prod/deployment/checkout", containerImage: "ghcr.io/kubernaut/kubectl:1.28",
        executionName: execution, startedAt: .now())
    let startedID = client.record(started).eventID
    var completed = started
    completed.envelope = envelope("workflowexecution", parent: startedID)
    completed.stage = .completed
    completed.completedAt = .now()
    completed.duration = "41s"
    client.record(completed)
    client.record(
        NotificationEvent(
            envelope: envelope("notification", parent: startedID), notificationID: "n-\(remediation)", channel: "slack",
            subject: "checkout restarted", body: "KubePodCrashLooping resolved by restart-deployment-v1", priority: "high", type: "resolution"))

    let delivered = await client.flush(timeout: .seconds(60))
    print("remediation \(remediation): \(delivered ? "6 events delivered" : "events still pending in \(spool)")")
    await services.triggerGracefulShutdown()
    try await group.waitForAll()
    if !delivered { exit(1) }
}
