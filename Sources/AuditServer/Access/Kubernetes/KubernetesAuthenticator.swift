import AuditCore
import Crypto
public import Logging
import Synchronization

/// Bearer tokens checked by the Kubernetes API (``KubernetesAccessConfiguration``): a
/// `TokenReview` for the identity, then one `SubjectAccessReview` per scope, all at once.
///
/// Answers are kept per token (by its SHA-256, never the token itself) for
/// ``KubernetesAccessConfiguration/cacheSeconds`` (refusals 5 s at most, an unreachable API
/// server 1 s), and requests that arrive with the same token while its reviews are in flight
/// wait for them instead of sending their own: a service starting with many connections costs
/// the API server six reviews, not six per connection.
public final class KubernetesAuthenticator: Sendable {
    private enum Slot {
        case reviewing(waiters: [CheckedContinuation<BearerVerdict, Never>])
        case known(BearerVerdict, until: ContinuousClock.Instant)
    }

    public let reviewer: KubernetesReviewer
    private var configuration: KubernetesAccessConfiguration { reviewer.configuration }
    private let slots = Mutex<[String: Slot]>([:])

    public init(reviewer: KubernetesReviewer) {
        self.reviewer = reviewer
    }

    /// The principal `token` names, its scopes those the API server allows.
    public func authenticate(_ token: String, logger: Logger) async -> BearerVerdict {
        let key = Hex.lowercase(SHA256.hash(data: Array(token.utf8)))
        let now = ContinuousClock.now
        enum Next {
            case answer(BearerVerdict)
            case wait
            case review
        }
        let next: Next = slots.withLock { slots in
            switch slots[key] {
            case .known(let outcome, let until) where until > now: return .answer(outcome)
            case .reviewing: return .wait
            default:
                slots[key] = .reviewing(waiters: [])
                return .review
            }
        }
        switch next {
        case .answer(let outcome):
            return outcome
        case .wait:
            return await withCheckedContinuation { continuation in
                let known: BearerVerdict? = slots.withLock { slots in
                    switch slots[key] {
                    case .reviewing(let waiters):
                        slots[key] = .reviewing(waiters: waiters + [continuation])
                        return nil
                    case .known(let outcome, _): return outcome
                    case nil: return .unverifiable
                    }
                }
                if let known { continuation.resume(returning: known) }
            }
        case .review:
            let outcome = await review(token, logger: logger)
            let lifetime: Duration =
                switch outcome {
                case .accepted: .milliseconds(Int64(configuration.cacheSeconds * 1000))
                case .refused: .milliseconds(Int64(min(5, configuration.cacheSeconds) * 1000))
                case .unverifiable: .seconds(1)
                }
            let waiters = slots.withLock { slots -> [CheckedContinuation<BearerVerdict, Never>] in
                var waiters: [CheckedContinuation<BearerVerdict, Never>] = []
                if case .reviewing(let waiting) = slots[key] { waiters = waiting }
                slots[key] = .known(outcome, until: ContinuousClock.now + lifetime)
                if slots.count > configuration.maximumCachedTokens { Self.evict(&slots, maximum: configuration.maximumCachedTokens) }
                return waiters
            }
            for waiter in waiters { waiter.resume(returning: outcome) }
            return outcome
        }
    }

    /// Drops expired answers; if that is not enough, every answer (reviews in flight stay).
    private static func evict(_ slots: inout [String: Slot], maximum: Int) {
        let now = ContinuousClock.now
        slots = slots.filter { _, slot in
            if case .known(_, let until) = slot { return until > now }
            return true
        }
        if slots.count > maximum {
            slots = slots.filter { _, slot in
                if case .reviewing = slot { return true }
                return false
            }
        }
    }

    private func review(_ token: String, logger: Logger) async -> BearerVerdict {
        do {
            let status = try await reviewer.review(token: token, logger: logger)
            guard status.authenticated == true, let user = status.user, let username = user.username, !username.isEmpty else {
                logger.info("bearer token refused by the Kubernetes API", metadata: ["audit.auth.refusal": "\(TokenRefusal.unknown.rawValue)"])
                return .refused(.unknown)
            }
            if let audience = configuration.audience, let audiences = status.audiences, !audiences.contains(audience) {
                logger.info("bearer token issued for another audience", metadata: ["audit.auth.refusal": "\(TokenRefusal.unknown.rawValue)"])
                return .refused(.unknown)
            }
            if let problem = Principal.problem(withName: username) {
                logger.info("the Kubernetes user name cannot name a principal", metadata: ["audit.auth.problem": "\(problem)"])
                return .refused(.malformed)
            }
            let scopes = try await withThrowingTaskGroup(of: AccessScope?.self) { group in
                for scope in AccessScope.allCases {
                    let check = KubernetesAccessConfiguration.check(for: scope)
                    group.addTask {
                        try await self.reviewer.review(
                            user: user, username: username, verb: check.verb, subresource: check.subresource, logger: logger)
                            ? scope : nil
                    }
                }
                return try await group.reduce(into: Set<AccessScope>()) { scopes, scope in if let scope { scopes.insert(scope) } }
            }
            let kind: Principal.Kind = username.hasPrefix("system:serviceaccount:") ? .service : .human
            return .accepted(Principal(name: username, kind: kind, scopes: scopes, method: .kubernetes))
        } catch {
            logger.warning("the Kubernetes API could not check a bearer token", metadata: ["error": "\(error)"])
            return .unverifiable
        }
    }
}
