import AuditCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Realistic audit traffic, the same for every run with the same seed: remediation chains of
/// 5–10 events with parent links (a signal, its analysis, the workflow selection with its
/// scoring breakdown, the execution and the Kubernetes actions it took, the notification),
/// `event_data` of 0.5–1.5 KB, client-chosen `event_id`s.
struct EventGenerator {
    /// One remediation: its events in order, each (but the first) the child of an earlier one.
    struct Chain {
        var correlationID: String
        var requests: [JSONObject]
        /// Parallel to ``requests``.
        var ids: [UUID]
    }

    private var random: SplitMix64
    private var chainNumber = 0
    let namespaces = (0..<20).map { "team-\($0)-" + ["prod", "staging", "dev"][$0 % 3] }
    let workflows = ["restart-pod-v1", "scale-up-v2", "rollback-deploy-v1", "drain-node-v3", "increase-memory-v1", "clear-cache-v2"]
    let clusters = ["eu-west-prod", "us-east-prod", "eu-west-staging"]

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// The next chain, its events `spacing` apart starting at `start`.
    mutating func chain(start: AuditTimestamp, spacingMicroseconds: Int64 = 350_000) -> Chain {
        chainNumber += 1
        let correlation = "rr-\(chainNumber)-\(random.next() % 100_000)"
        let namespace = namespaces[Int(random.next() % UInt64(namespaces.count))]
        let cluster = clusters[Int(random.next() % UInt64(clusters.count))]
        let failed = random.next() % 100 < 15
        let actions = Int(random.next() % 5)
        var chain = Chain(correlationID: correlation, requests: [], ids: [])
        var time = start
        func add(
            _ type: String, _ category: String, _ action: String, _ outcome: String, parent: Int?, data: JSONObject, extra: [String: JSONValue] = [:]
        ) {
            let id = randomUUID()
            var request = JSONObject()
            request["version"] = .string("1.0")
            request["event_id"] = .string(id.uuidString.lowercased())
            request["event_type"] = .string(type)
            request["event_timestamp"] = .string(time.description)
            request["event_category"] = .string(category)
            request["event_action"] = .string(action)
            request["event_outcome"] = .string(outcome)
            request["actor_type"] = .string("service")
            request["actor_id"] = .string("\(category)-controller")
            request["resource_type"] = .string(category == "gateway" ? "Signal" : "RemediationRequest")
            request["resource_id"] = .string(correlation)
            request["correlation_id"] = .string(correlation)
            if let parent { request["parent_event_id"] = .string(chain.ids[parent].uuidString.lowercased()) }
            request["namespace"] = .string(namespace)
            request["cluster_name"] = .string(cluster)
            request["severity"] = .string(outcome == "failure" ? "error" : "info")
            for (key, value) in extra.sorted(by: { $0.key < $1.key }) { request[key] = value }
            request["event_data"] = .object(data)
            chain.requests.append(request)
            chain.ids.append(id)
            time = time.adding(microseconds: spacingMicroseconds)
        }
        let pod = "api-\(hex(8))-\(hex(5))"
        add("gateway.signal.received", "gateway", "received", "success", parent: nil, data: signal(namespace: namespace, pod: pod, at: start))
        add("aianalysis.analysis.completed", "analysis", "completed", "success", parent: 0, data: analysis(pod: pod))
        let selected = workflows[Int(random.next() % UInt64(workflows.count))]
        add("workflow.selection.completed", "workflow", "selected", "success", parent: 1, data: selection(selected))
        add(
            "workflowexecution.execution.started", "workflowexecution", "started", "pending", parent: 2,
            data: execution(selected, pod: pod, done: false))
        for step in 0..<actions {
            add(
                "kubernetesexecutor.action.executed", "kubernetes", "executed", "success", parent: 3,
                data: kubernetesAction(step: step, namespace: namespace, pod: pod), extra: ["duration_ms": .number(String(40 + random.next() % 900))]
            )
        }
        add(
            "workflowexecution.execution.\(failed ? "failed" : "completed")", "workflowexecution", failed ? "failed" : "completed",
            failed ? "failure" : "success", parent: 3, data: execution(selected, pod: pod, done: true),
            extra: failed ? ["error_code": .string("E_STEP_TIMEOUT"), "error_message": .string("step 3 did not finish within 300s")] : [:]
        )
        add(
            "notification.message.sent", "notification", "sent", "success", parent: chain.ids.count - 1,
            data: notification(correlation, failed: failed))
        return chain
    }

    private mutating func signal(namespace: String, pod: String, at start: AuditTimestamp) -> JSONObject {
        var labels = JSONObject()
        labels["alertname"] = .string("KubePodCrashLooping")
        labels["pod"] = .string(pod)
        labels["container"] = .string("api")
        labels["team"] = .string(namespace.split(separator: "-").prefix(2).joined(separator: "-"))
        labels["prometheus"] = .string("monitoring/k8s")
        var data = JSONObject()
        data["event_type"] = .string("gateway.signal.received")
        data["signal_type"] = .string("prometheus-alert")
        data["signal_name"] = .string("KubePodCrashLooping")
        data["fingerprint"] = .string(hex(32))
        data["labels"] = .object(labels)
        data["annotations"] = .object(
            JSONObject([
                .init(key: "summary", value: .string("Pod \(pod) is restarting \(2 + random.next() % 9) times / 10 minutes")),
                .init(key: "runbook_url", value: .string("https://runbooks.example.com/KubePodCrashLooping")),
            ]))
        data["occurrence_count"] = .number(String(1 + random.next() % 40))
        data["starts_at"] = .string(start.adding(microseconds: -120_000_000).description)
        return data
    }

    private mutating func analysis(pod: String) -> JSONObject {
        var data = JSONObject()
        data["model"] = .string("kubernaut-rca-2")
        data["root_cause"] = .string("container api in \(pod) exceeds its 512Mi memory limit under the nightly batch load; OOMKilled on each restart")
        data["confidence"] = .number("0.\(70 + random.next() % 29)")
        data["evidence"] = .array(
            (0..<Int(2 + random.next() % 3)).map { index in
                .string("metric container_memory_working_set_bytes reached \(480 + random.next() % 40)Mi at sample \(index)")
            })
        data["tokens_used"] = .number(String(900 + random.next() % 2000))
        return data
    }

    private mutating func selection(_ selected: String) -> JSONObject {
        var candidates: [JSONValue] = []
        for (rank, workflow) in workflows.shuffled(using: &random).prefix(4).enumerated() {
            var factors = JSONObject()
            factors["label_match"] = .number("0.\(random.next() % 100)")
            factors["historical_success"] = .number("0.\(random.next() % 100)")
            factors["blast_radius"] = .number("0.\(random.next() % 100)")
            candidates.append(
                .object(
                    JSONObject([
                        .init(key: "workflow_id", value: .string(workflow)), .init(key: "rank", value: .number(String(rank + 1))),
                        .init(key: "score", value: .number("0.\(random.next() % 100)")), .init(key: "factors", value: .object(factors)),
                    ])))
        }
        var chosen = JSONObject()
        chosen["workflow_id"] = .string(selected)
        chosen["version"] = .string("\(1 + random.next() % 3).\(random.next() % 10)")
        chosen["confidence"] = .number("0.\(60 + random.next() % 39)")
        chosen["rationale"] = .string("highest combined score; label match on alertname and team; no failed runs in 30 days")
        var data = JSONObject()
        data["selected_workflow"] = .object(chosen)
        data["candidates"] = .array(candidates)
        data["policy"] = .string("rego:remediation/allow-v4")
        return data
    }

    private mutating func execution(_ workflow: String, pod: String, done: Bool) -> JSONObject {
        var data = JSONObject()
        data["workflow_id"] = .string(workflow)
        data["pipeline_run"] = .string("\(workflow)-run-\(hex(6))")
        data["target"] = .object(JSONObject([.init(key: "kind", value: .string("Deployment")), .init(key: "name", value: .string("api"))]))
        data["pod"] = .string(pod)
        if done {
            data["steps"] = .array(
                ["validate", "snapshot", "apply", "verify"].map { step in
                    .object(
                        JSONObject([
                            .init(key: "name", value: .string(step)), .init(key: "duration_ms", value: .number(String(50 + random.next() % 4000))),
                            .init(key: "exit_code", value: .number("0")),
                        ]))
                })
        }
        return data
    }

    private mutating func kubernetesAction(step: Int, namespace: String, pod: String) -> JSONObject {
        var data = JSONObject()
        data["verb"] = .string(["patch", "delete", "scale", "annotate", "cordon"][step % 5])
        data["api_version"] = .string("apps/v1")
        data["resource"] = .string("deployments/api")
        data["namespace"] = .string(namespace)
        data["dry_run"] = .bool(false)
        data["patch"] = .string(#"{"spec":{"template":{"spec":{"containers":[{"name":"api","resources":{"limits":{"memory":"768Mi"}}}]}}}}"#)
        data["result"] = .object(
            JSONObject([
                .init(key: "resource_version", value: .string(String(100_000 + random.next() % 900_000))),
                .init(key: "observed_pods", value: .array([.string(pod), .string("api-\(hex(8))-\(hex(5))")])),
            ]))
        return data
    }

    private mutating func notification(_ correlation: String, failed: Bool) -> JSONObject {
        var data = JSONObject()
        data["channel"] = .string(["slack", "pagerduty", "email"][Int(random.next() % 3)])
        data["recipients"] = .array([.string("oncall-platform"), .string("team-owner")])
        data["subject"] = .string("Remediation \(correlation) \(failed ? "failed" : "succeeded")")
        data["delivery_id"] = .string(hex(24))
        return data
    }

    private mutating func hex(_ count: Int) -> String {
        var text = ""
        while text.count < count { text += String(random.next(), radix: 16) }
        return String(text.prefix(count))
    }

    private mutating func randomUUID() -> UUID {
        UUID(version: 4, bytes: (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) })
    }
}

extension UUID {
    /// A UUID of RFC 9562's variant and `version` from the first 16 of `bytes`.
    init(version: UInt8, bytes: some Collection<UInt8>) {
        var bytes = Array(bytes.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | (version << 4)
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11], bytes[12],
                bytes[13], bytes[14], bytes[15]
            ))
    }
}

/// A small, fast, seedable generator (SplitMix64), so runs are repeatable.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
