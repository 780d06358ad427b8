import ArgumentParser
import AuditServer

/// `serve`'s per-principal write rate limit.
struct RateLimitOptions: ParsableArguments {
    @Option(
        help: """
            Write requests per second each principal may send (a batch counts as one), e.g. 500 for service accounts. \
            (env: AUDITLEDGER_RATE_LIMIT_WRITES, default: none, no limit)
            """)
    var rateLimitWrites: Double?

    @Option(help: "Write requests a principal may send at once after a quiet spell. (env: AUDITLEDGER_RATE_LIMIT_BURST, default: one second's worth)")
    var rateLimitBurst: Double?

    @Option(
        help: """
            Status of a request over the limit: 429, or 503, which Kubernaut's clients retry instead of dropping the batch. \
            (env: AUDITLEDGER_RATE_LIMIT_STATUS, default: 429)
            """)
    var rateLimitStatus: Int?

    func configuration() throws -> RateLimiter.Configuration? {
        guard let rate = try resolve(rateLimitWrites, env: "AUDITLEDGER_RATE_LIMIT_WRITES") else {
            if rateLimitBurst != nil || rateLimitStatus != nil {
                throw ValidationError("--rate-limit-burst and --rate-limit-status need --rate-limit-writes")
            }
            return nil
        }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate-limit-writes must be a positive number") }
        let burst = try resolve(rateLimitBurst, env: "AUDITLEDGER_RATE_LIMIT_BURST")
        if let burst, !(burst >= 1 && burst.isFinite) { throw ValidationError("--rate-limit-burst must be at least 1") }
        let code = try resolve(rateLimitStatus, env: "AUDITLEDGER_RATE_LIMIT_STATUS", default: 429)
        guard let status = RateLimiter.Configuration.OverLimitStatus(rawValue: code) else {
            throw ValidationError("--rate-limit-status must be 429 or 503, not \(code)")
        }
        return RateLimiter.Configuration(requestsPerSecond: rate, burst: burst, overLimitStatus: status)
    }
}
