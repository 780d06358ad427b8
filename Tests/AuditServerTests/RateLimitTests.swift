import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct RateLimitTests {
    @Test("A token bucket per principal: the burst, then one request per 1/rate seconds; another principal is not affected")
    func bucket() {
        let limiter = RateLimiter(configuration: .init(requestsPerSecond: 10, burst: 5))
        let start = ContinuousClock.now
        for _ in 0..<5 { #expect(limiter.take(for: "a", now: start) == nil) }
        let wait = limiter.take(for: "a", now: start)
        #expect(wait != nil)
        #expect(wait.map { $0 > .milliseconds(99) && $0 <= .milliseconds(100) } == true, "\(String(describing: wait))")
        #expect(limiter.take(for: "b", now: start) == nil, "b has its own bucket")
        #expect(limiter.take(for: "a", now: start + .milliseconds(100)) == nil)
        #expect(limiter.take(for: "a", now: start + .milliseconds(100)) != nil)
        // A long pause refills to the burst, not beyond.
        for _ in 0..<5 { #expect(limiter.take(for: "a", now: start + .seconds(60)) == nil) }
        #expect(limiter.take(for: "a", now: start + .seconds(60)) != nil)
        #expect(limiter.refusal(after: .milliseconds(30)).retryAfterSeconds == 1)
        #expect(limiter.refusal(after: .milliseconds(2300)).retryAfterSeconds == 3)
    }

    @Test("Over its rate a principal gets 429 with Retry-After (or 503 when configured); other principals are not slowed", arguments: [429, 503])
    func overTheRate(_ status: Int) async throws {
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        var configuration = try fixture.configuration()
        configuration.writeRateLimit = .init(
            // One token per 50 s: the three writes cannot earn a fourth however slow the machine.
            requestsPerSecond: 0.02, burst: 3, overLimitStatus: RateLimiter.Configuration.OverLimitStatus(rawValue: status)!)
        try await withApp(.sqlite, configuration: configuration) { client, _ in
            for index in 0..<3 {
                let answer = try await client.post(
                    "/api/v1/audit/events", json: .object(EventFactory.request(correlationID: "rr-rate-\(index)", at: .now())),
                    headers: fixture.headers(.writer))
                #expect(answer.status == .created)
            }
            let refused = try await client.post(
                "/api/v1/audit/events/batch", json: .array([.object(EventFactory.request(correlationID: "rr-rate-x", at: .now()))]),
                headers: fixture.headers(.writer))
            try expectProblem(refused, status: HTTPResponse.Status(code: status), type: status == 429 ? "rate-limited" : "overloaded")
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...50).contains(retryAfter), "Retry-After \(retryAfter): the next token comes within 50 s at 0.02/s")
            #expect(try refused.object.string("detail")?.contains("0.02 write requests per second") == true)

            // Another principal has its own bucket; reads are not limited.
            let other = try await client.post(
                "/api/v1/audit/events", json: .object(EventFactory.request(correlationID: "rr-rate-other", at: .now())),
                headers: fixture.headers(.otherWriter))
            #expect(other.status == .created)
            #expect(try await client.get("/api/v1/audit/events", headers: fixture.headers(.reader)).status == .ok)
            let stored = try await client.get("/api/v1/audit/events?correlation_id=rr-rate-x", headers: fixture.headers(.reader)).object
            #expect(stored.array("data").isEmpty, "a refused request stores nothing")
        }
    }
}
