public import AuditCore
import Synchronization

/// Write requests per principal: a token bucket each, refilled at
/// ``Configuration/requestsPerSecond`` up to ``Configuration/burst``. Every write request (one
/// event or a batch) takes one token; without one it is refused with `Retry-After` saying
/// when the next token comes, and other principals are not affected.
public final class RateLimiter: Sendable {
    /// How fast each principal may write.
    public struct Configuration: Sendable, Hashable {
        /// The status of a refused request.
        public enum OverLimitStatus: Int, Sendable, Hashable {
            /// `429 Too Many Requests`. Kubernaut's buffered client drops a batch it gets any
            /// 4xx for: events over the limit are lost on its side.
            case tooManyRequests = 429
            /// `503 Service Unavailable`: Kubernaut's client retries 5xx, so nothing is lost
            /// while the limit still slows it down.
            case serviceUnavailable = 503
        }

        /// Sustained write requests per second per principal (the seeds' example: 500 for a
        /// service account).
        public var requestsPerSecond: Double
        /// Requests a principal may send at once after a quiet spell. Default: one second's worth.
        public var burst: Double
        /// Default ``OverLimitStatus/tooManyRequests``.
        public var overLimitStatus: OverLimitStatus

        public init(requestsPerSecond: Double, burst: Double? = nil, overLimitStatus: OverLimitStatus = .tooManyRequests) {
            self.requestsPerSecond = requestsPerSecond
            self.burst = max(1, burst ?? requestsPerSecond)
            self.overLimitStatus = overLimitStatus
        }
    }

    public let configuration: Configuration
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Buckets kept at most; beyond it, full ones (principals quiet for a while) are dropped.
    static let maximumBuckets = 10_000

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Takes a token for `principal`, or says how long until one is there.
    /// - Returns: `nil` when the request may go ahead; otherwise the wait.
    public func take(for principal: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let rate = configuration.requestsPerSecond
        let burst = configuration.burst
        return buckets.withLock { buckets in
            var bucket = buckets[principal] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, Self.seconds(now - bucket.updated)) * rate)
            bucket.updated = now
            defer {
                buckets[principal] = bucket
                if buckets.count > Self.maximumBuckets { Self.prune(&buckets, now: now, rate: rate, burst: burst) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .seconds((1 - bucket.tokens) / rate)
        }
    }

    /// The error a refused request gets: 429 (or 503) with `Retry-After` in whole seconds, at least 1.
    public func refusal(after wait: Duration) -> AuditError {
        let retryAfter = max(1, Int(Self.seconds(wait).rounded(.up)))
        let detail =
            "this principal is over its rate of \(Self.format(configuration.requestsPerSecond)) write requests per second; retry after \(retryAfter) s"
        switch configuration.overLimitStatus {
        case .tooManyRequests: return AuditError(.rateLimited, detail: detail, retryAfterSeconds: retryAfter)
        case .serviceUnavailable: return AuditError(.overloaded, detail: detail, retryAfterSeconds: retryAfter)
        }
    }

    private static func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant, rate: Double, burst: Double) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + max(0, seconds(now - bucket.updated)) * rate < burst
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(rate)
    }
}
