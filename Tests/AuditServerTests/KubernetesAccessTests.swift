import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Authentication by the Kubernetes API, against a local stand-in that answers TokenReview and
/// SubjectAccessReview documents as the API server does (no cluster runs here). The route ×
/// credential matrix runs with this method too (``AccessAPITests``).
@Suite struct KubernetesAccessTests {
    @Test("The reviews name the caller and its scopes: a service account writes, a person places a hold in its own name")
    func identityAndScopes() async throws {
        try await withKubernetesApp(.sqlite) { client, fixture, standIn in
            let written = try await client.post(
                "/api/v1/audit/events", json: .object(EventFactory.request(correlationID: "rr-k8s", at: .now())), headers: fixture.headers(.writer))
            #expect(written.status == .created)
            let hold = JSONValue.object(
                JSONObject([.init(key: "correlation_id", value: .string("rr-k8s")), .init(key: "reason", value: .string("inquiry"))]))
            let placed = try await client.post("/api/v1/audit/legal-hold", json: hold, headers: fixture.headers(.holder))
            #expect(placed.status == .ok)
            #expect(try placed.object.string("placed_by") == "holder@example.com")
            let read = try await client.get("/api/v1/audit/events?correlation_id=rr-k8s", headers: fixture.headers(.writer))
            try expectProblem(read, status: .forbidden, type: "forbidden")
            #expect(standIn.tokenReviews == 2, "one TokenReview per token")
            #expect(standIn.accessReviews == 2 * AccessScope.allCases.count, "one SubjectAccessReview per scope and token")
        }
    }

    @Test(
        "Kubernaut's RBAC verbs on data-storage-service: create writes, get reads, update places holds; sensitive and admin need their subresources")
    func kubernautVerbs() async throws {
        try await withKubernetesApp(.sqlite) { client, _, standIn in
            func user(_ name: String, _ grants: [KubernetesStandIn.Grant]) -> HTTPFields {
                let token = "k8s-literal-\(name)"
                standIn.add(token: token, .init(username: "system:serviceaccount:kubernaut-system:\(name)", grants: Set(grants)))
                return [.authorization: "Bearer " + token]
            }
            let writer = user("gateway-sa", [.init(verb: "create")])
            let reader = user("reader-sa", [.init(verb: "get"), .init(verb: "list")])
            let holder = user("holder-sa", [.init(verb: "update"), .init(verb: "get")])
            let everything = user("full-access", [.init(verb: "create"), .init(verb: "get"), .init(verb: "list"), .init(verb: "update")])
            let sensitive = user("sensitive-sa", [.init(verb: "get"), .init(verb: "get", subresource: "sensitive")])
            let admin = user("admin-sa", [.init(verb: "update", subresource: "admin")])
            var event = EventFactory.request(correlationID: "rr-verbs", at: .now())
            event["is_sensitive"] = .bool(true)
            #expect(try await client.post("/api/v1/audit/events", json: .object(event), headers: writer).status == .created)
            try expectProblem(
                try await client.get("/api/v1/audit/events?correlation_id=rr-verbs", headers: writer), status: .forbidden, type: "forbidden")
            let read = try await client.get("/api/v1/audit/events?correlation_id=rr-verbs", headers: reader)
            #expect(read.status == .ok)
            #expect(String(buffer: read.body).contains("\"sensitive_withheld\":true"), "get alone does not show sensitive content")
            let full = try await client.get("/api/v1/audit/events?correlation_id=rr-verbs", headers: sensitive)
            #expect(!String(buffer: full.body).contains("\"sensitive_withheld\":true"))
            let hold = JSONValue.object(
                JSONObject([.init(key: "correlation_id", value: .string("rr-verbs")), .init(key: "reason", value: .string("inquiry"))]))
            try expectProblem(try await client.post("/api/v1/audit/legal-hold", json: hold, headers: reader), status: .forbidden, type: "forbidden")
            #expect(try await client.post("/api/v1/audit/legal-hold", json: hold, headers: holder).status == .ok)
            // Kubernaut's full-access role (create, get, list, update) is not an operator here.
            try expectProblem(try await client.get("/api/v1/audit/partitions", headers: everything), status: .forbidden, type: "forbidden")
            #expect(try await client.get("/api/v1/audit/partitions", headers: admin).status == .ok)
        }
    }

    @Test("Answers are reused per token: 40 requests at once with one token cost one TokenReview and one access review per scope")
    func reviewsAreSharedAndCached() async throws {
        try await withKubernetesApp(.sqlite) { client, fixture, standIn in
            standIn.delay(milliseconds: 200)
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<40 {
                    group.addTask { try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader)).status }
                }
                for try await status in group { #expect(status == .ok) }
            }
            #expect(standIn.tokenReviews == 1)
            #expect(standIn.accessReviews == AccessScope.allCases.count)
            standIn.delay(milliseconds: 0)
            #expect(try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader)).status == .ok)
            #expect(standIn.tokenReviews == 1, "answered from the cache")
        }
    }

    @Test("With a cache time of 0 every request is reviewed again, so a revoked binding is honoured at once")
    func noCache() async throws {
        try await withKubernetesApp(.sqlite, cacheSeconds: 0) { client, fixture, standIn in
            for _ in 0..<3 {
                #expect(try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader)).status == .ok)
            }
            #expect(standIn.tokenReviews == 3)
            standIn.add(token: fixture.tokens[.reader]!, .init(username: "system:serviceaccount:kubernaut-system:reader", grants: []))
            let refused = try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader))
            try expectProblem(refused, status: .forbidden, type: "forbidden")
        }
    }

    @Test("An API server that fails or refuses the reviewer gives 503 with Retry-After, never 401 (a Kubernaut client drops a batch on 4xx)")
    func unverifiable() async throws {
        try await withKubernetesApp(.sqlite, cacheSeconds: 0) { client, fixture, standIn in
            standIn.fail(true)
            let body = JSONValue.object(EventFactory.request(correlationID: "rr-k8s-down", at: .now()))
            let refused = try await client.post("/api/v1/audit/events", json: body, headers: fixture.headers(.writer))
            try expectProblem(refused, status: .serviceUnavailable, type: "service-unavailable")
            #expect(refused.headers[.retryAfter] == "5")
            #expect(!String(buffer: refused.body).contains("500"), "the API server's answer stays in the log")
            standIn.fail(false)
            // The outage is remembered for at most a second.
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await client.post("/api/v1/audit/events", json: body, headers: fixture.headers(.writer)).status == .created)
        }
        // The reviewer's own token is not the one the API server knows.
        try await withKubernetesApp(.sqlite) { client, fixture, _ in
            try Data("someone-else".utf8).write(to: URL(fileURLWithPath: fixture.path))
            let refused = try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader))
            try expectProblem(refused, status: .serviceUnavailable, type: "service-unavailable")
        }
    }

    @Test("The API server is reached over TLS with the CA given; one whose certificate another CA signed is not trusted (503)")
    func tlsToTheAPIServer() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-k8s-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let authority = try TestCertificateAuthority(name: "Kubernetes test CA")
        try Data(try authority.pem.utf8).write(to: URL(fileURLWithPath: directory + "/ca.crt"))
        try Data(try TestCertificateAuthority(name: "Another CA").pem.utf8).write(to: URL(fileURLWithPath: directory + "/other.crt"))
        let files = try authority.issueServer(hostnames: ["localhost"]).write(to: directory, name: "apiserver")
        let tls = try ServerTLS(certificateFile: files.certificate, keyFile: files.key)
        try await withKubernetesApp(.sqlite, standInTLS: tls, certificateAuthorityFile: directory + "/ca.crt", configure: { _ in }) {
            client, fixture, standIn in
            let answer = try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader))
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            #expect(standIn.tokenReviews == 1)
        }
        try await withKubernetesApp(.sqlite, standInTLS: tls, certificateAuthorityFile: directory + "/other.crt", configure: { _ in }) {
            client, fixture, standIn in
            let refused = try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader))
            try expectProblem(refused, status: .serviceUnavailable, type: "service-unavailable")
            #expect(standIn.tokenReviews == 0, "nothing was sent to a server that could not prove who it is")
        }
    }

    @Test("A token issued for another audience is refused when an audience is configured")
    func audience() async throws {
        try await withKubernetesApp(.sqlite, audience: "auditledger") { client, fixture, standIn in
            let refused = try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader))
            try expectProblem(refused, status: .unauthorized, type: "unauthorized")
            standIn.add(
                token: "k8s-audience",
                .init(
                    username: "system:serviceaccount:kubernaut-system:ok", grants: KubernetesStandIn.grants(for: [.eventsRead]),
                    audiences: ["auditledger"]))
            #expect(try await client.get("/api/v1/audit/events?limit=1", headers: [.authorization: "Bearer k8s-audience"]).status == .ok)
        }
    }

    @Test("Static tokens and Kubernetes tokens work side by side; an alt_ token unknown to the file is not sent to the API server")
    func sideBySide() async throws {
        let file = try AccessFixture()
        defer { file.remove() }
        try await withKubernetesApp(
            .sqlite,
            configure: { configuration in
                configuration.access.tokens = try file.configuration().access.tokens
            }
        ) { client, fixture, standIn in
            #expect(try await client.get("/api/v1/audit/events?limit=1", headers: file.headers(.reader)).status == .ok)
            #expect(try await client.get("/api/v1/audit/events?limit=1", headers: fixture.headers(.reader)).status == .ok)
            let unknown = try await client.get("/api/v1/audit/events?limit=1", headers: [.authorization: "Bearer " + AccessToken.generate().text])
            try expectProblem(unknown, status: .unauthorized, type: "unauthorized")
            #expect(standIn.tokenReviews == 1, "only the Kubernetes token was reviewed")
        }
    }
}
