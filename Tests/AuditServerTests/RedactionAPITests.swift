import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct RedactionAPITests {
    @Test("A secret in event_data never reaches the store (read from the table itself); its HMAC finds the event", arguments: StoreKind.available)
    func secretsNeverStored(_ kind: StoreKind) async throws {
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        let key = Array("an HMAC key of at least 32 bytes for the test".utf8)
        configuration.validation.redaction = Redaction(paths: ["spec.env.*.value"], replacement: .hmac(key: key))
        try await withApp(kind, configuration: configuration) { client, harness in
            let id = UUID()
            var event = EventFactory.request(
                type: "kubernetes.job.created", category: "kubernetes", correlationID: "rr-secret", at: .now(), eventID: id,
                data: try {
                    guard
                        case .object(let data) = try JSONParser.parse(
                            #"{"job":"restart-1","password":"hunter2-very-secret","auth":{"Authorization":"Bearer eyJhbGciOi.leaked"},"spec":{"env":[{"name":"DB_URL","value":"postgres://u:pw-in-env@db/x"}]}}"#
                        )
                    else { throw TestFailure("fixture") }
                    return data
                }())
            event["event_id"] = .string(id.uuidString.lowercased())
            let created = try await client.post("/api/v1/audit/events", json: .object(event))
            #expect(created.status == .created, "\(String(buffer: created.body))")

            let row = try await harness.storedRowText(eventID: id)
            #expect(!row.isEmpty)
            for secret in ["hunter2-very-secret", "eyJhbGciOi.leaked", "pw-in-env"] {
                #expect(!row.contains(secret), "\(secret) reached the store: \(row)")
            }
            #expect(row.contains("restart-1"))

            let code = Redaction(replacement: .hmac(key: key)).replacing(.string("hunter2-very-secret"))
            guard case .string(let hmac) = code else { throw TestFailure("hmac") }
            let query =
                "/api/v1/audit/events?event_data=" + (#"{"password":"\#(hmac)"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let found = try await client.get(query).object
            #expect(found.array("data").compactMap { $0.object?.string("event_id") } == [id.uuidString.lowercased()])
            let wrong = Redaction(replacement: .hmac(key: key)).replacing(.string("hunter3"))
            guard case .string(let other) = wrong else { throw TestFailure("hmac") }
            let none = try await client.get(
                "/api/v1/audit/events?event_data=" + (#"{"password":"\#(other)"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            ).object
            #expect(none.array("data").isEmpty)
        }
    }
}
