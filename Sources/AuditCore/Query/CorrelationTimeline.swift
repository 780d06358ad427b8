#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One correlation's events as a parent/child tree in time order, with each step's duration,
/// its offset from the first event and the gap since the step before it
/// (`GET /api/v1/audit/correlations/{correlation_id}/timeline`).
///
/// Steps are ordered by `event_timestamp`, ties by the order the store took them. A step's
/// children are the events whose `parent_event_id` names it; an event whose parent is not in
/// the correlation (or has none) is a root, and so is a step more than ``maximumDepth`` levels
/// down. Every duration is in milliseconds; a gap is negative when a step began before the one
/// before it had ended.
public struct CorrelationTimeline: Sendable, Hashable {
    /// One event of the timeline.
    public struct Step: Sendable, Hashable {
        public var event: AuditEvent
        /// Milliseconds from the correlation's first event to this one.
        public var offsetMilliseconds: Int64
        /// Milliseconds from the end of the step before it in time (its timestamp plus its
        /// `duration_ms`, when it has one) to this step's timestamp; `nil` for the first.
        public var gapMilliseconds: Int64?
        public var children: [Step]
    }

    /// Most events one timeline takes; a larger correlation is read with the query API's pages.
    public static let maximumEvents = 10_000
    /// Most levels of nesting: a step deeper than this starts a new root (its `parent_event_id`
    /// says where it hangs), so that no answer nests without bound.
    public static let maximumDepth = 64

    public var correlationID: String
    public var roots: [Step]
    public var eventCount: Int
    /// The first event's timestamp, and the latest end of any step (timestamp plus duration).
    public var startedAt: AuditTimestamp?
    public var endedAt: AuditTimestamp?

    /// Milliseconds from ``startedAt`` to ``endedAt``.
    public var durationMilliseconds: Int64? {
        guard let startedAt, let endedAt else { return nil }
        return (endedAt.microsecondsSinceEpoch - startedAt.microsecondsSinceEpoch) / 1000
    }

    /// Builds the timeline of `events` (any order; all of one correlation).
    public init(correlationID: String, events: [StoredAuditEvent]) {
        self.correlationID = correlationID
        let ordered = events.sorted {
            ($0.event.timestamp.microsecondsSinceEpoch, $0.insertSequence) < ($1.event.timestamp.microsecondsSinceEpoch, $1.insertSequence)
        }
        eventCount = ordered.count
        startedAt = ordered.first?.event.timestamp
        var offsets: [UUID: Int64] = [:]
        var gaps: [UUID: Int64] = [:]
        var previousEnd: Int64?
        var latestEnd: Int64?
        let start = startedAt?.microsecondsSinceEpoch ?? 0
        for stored in ordered {
            let event = stored.event
            let at = event.timestamp.microsecondsSinceEpoch
            offsets[event.id] = (at - start) / 1000
            if let previousEnd { gaps[event.id] = (at - previousEnd) / 1000 }
            let end = at + Int64(event.durationMS ?? 0) * 1000
            previousEnd = end
            latestEnd = max(latestEnd ?? end, end)
        }
        endedAt = latestEnd.map(AuditTimestamp.init(microsecondsSinceEpoch:))
        let ids = Set(ordered.map(\.event.id))
        var children: [UUID: [AuditEvent]] = [:]
        var rootEvents: [AuditEvent] = []
        for stored in ordered {
            if let parent = stored.event.parentEventID, parent != stored.event.id, ids.contains(parent) {
                children[parent, default: []].append(stored.event)
            } else {
                rootEvents.append(stored.event)
            }
        }
        // Iterative, so that a long chain of parents cannot exhaust the stack. A step at the
        // depth limit leaves its children for later, as roots; a cycle of parents (possible only
        // through data written behind the store) leaves its events out of every root's tree, so
        // they become roots too.
        var placed: Set<UUID> = []
        var deferred: [AuditEvent] = []
        func build(_ event: AuditEvent) -> Step {
            var stack: [(event: AuditEvent, children: [Step], next: Int)] = [(event, [], 0)]
            placed.insert(event.id)
            while true {
                let top = stack.count - 1
                let kids = children[stack[top].event.id] ?? []
                if stack[top].next < kids.count {
                    let child = kids[stack[top].next]
                    stack[top].next += 1
                    guard placed.insert(child.id).inserted else { continue }
                    if stack.count >= Self.maximumDepth {
                        deferred.append(child)
                    } else {
                        stack.append((child, [], 0))
                    }
                    continue
                }
                let done = stack.removeLast()
                let step = Step(
                    event: done.event, offsetMilliseconds: offsets[done.event.id] ?? 0, gapMilliseconds: gaps[done.event.id],
                    children: done.children)
                if stack.isEmpty { return step }
                stack[stack.count - 1].children.append(step)
            }
        }
        var roots = rootEvents.map(build)
        while !deferred.isEmpty {
            let next = deferred
            deferred = []
            roots += next.map(build)
        }
        for stored in ordered where !placed.contains(stored.event.id) { roots.append(build(stored.event)) }
        let rank = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1.event.id, $0) })
        roots.sort { (rank[$0.event.id] ?? 0) < (rank[$1.event.id] ?? 0) }
        self.roots = roots
    }
}
