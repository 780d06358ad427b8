import AuditCore
import AuditServer
import Foundation

/// The non-storage work of a write, per event, measured in-process on one core: how far the
/// CPU alone would let the API go.
enum HotPathBench {
    struct Result: Sendable, Codable {
        var parseNanoseconds: Double
        var validateNanoseconds: Double
        var contentIDNanoseconds: Double
        /// The event hash and leaf hash of a validated event, as the writer computes them.
        var eventHashNanoseconds: Double?
        /// The same from `event_data` as a store returns it (text to parse), as the verifier does.
        var storedEventHashNanoseconds: Double?
        var responseNanoseconds: Double
        var averageBodyBytes: Double
    }

    static func run(bodies: [[UInt8]], rounds: Int = 3) throws -> Result {
        let validator = EventValidator(policy: ValidationPolicy(maximumFutureSkewSeconds: 86_400 * 365, maximumAgeSeconds: 86_400 * 3650))
        let now = AuditTimestamp.now()
        var parsed: [JSONValue] = []
        var best = (
            parse: Double.infinity, validate: Double.infinity, hash: Double.infinity, digest: Double.infinity, storedDigest: Double.infinity,
            respond: Double.infinity
        )
        for _ in 0..<rounds {
            var started = ContinuousClock.now
            parsed = try bodies.map { try JSONParser.parse($0) }
            best.parse = min(best.parse, (ContinuousClock.now - started).seconds)

            started = ContinuousClock.now
            let events = try parsed.map { try validator.event(from: $0, now: now) }
            best.validate = min(best.validate, (ContinuousClock.now - started).seconds)

            let objects = parsed.compactMap { value -> JSONObject? in
                if case .object(let object) = value, case .object(let data)? = object["event_data"] { return data }
                return nil
            }
            started = ContinuousClock.now
            var sink = 0
            for (event, data) in zip(events, objects) { sink &+= event.contentDerivedID(eventData: data).hashValue }
            best.hash = min(best.hash, (ContinuousClock.now - started).seconds)

            started = ContinuousClock.now
            for event in events { sink &+= try StoredAuditEvent.digest(of: event).leafHash.utf8.count }
            best.digest = min(best.digest, (ContinuousClock.now - started).seconds)

            let stored = events.map { event -> AuditEvent in
                var copy = event
                copy.eventData = EventData(storedJSON: event.eventData.json)
                return copy
            }
            started = ContinuousClock.now
            for event in stored { sink &+= try StoredAuditEvent.digest(of: event).leafHash.utf8.count }
            best.storedDigest = min(best.storedDigest, (ContinuousClock.now - started).seconds)

            started = ContinuousClock.now
            for event in events { sink &+= EventJSON.created(event, isNew: true).count }
            best.respond = min(best.respond, (ContinuousClock.now - started).seconds)
            if sink == 42 { print("") }
        }
        let count = Double(bodies.count)
        return Result(
            parseNanoseconds: best.parse / count * 1e9, validateNanoseconds: best.validate / count * 1e9,
            contentIDNanoseconds: best.hash / count * 1e9, eventHashNanoseconds: best.digest / count * 1e9,
            storedEventHashNanoseconds: best.storedDigest / count * 1e9, responseNanoseconds: best.respond / count * 1e9,
            averageBodyBytes: Double(bodies.reduce(0) { $0 + $1.count }) / count
        )
    }
}
