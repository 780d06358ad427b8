import AuditCore
import AuditServer
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import Synchronization

/// A local stand-in for the Kubernetes API server's two review endpoints (no cluster runs
/// here): `POST /apis/authentication.k8s.io/v1/tokenreviews` and
/// `POST /apis/authorization.k8s.io/v1/subjectaccessreviews`, answering the documents the
/// real API server does (`201 Created`, the review with its `status`), and `401` with a
/// `Status` to a caller without the reviewer's own token.
///
/// Users are given by token; each user's grants are (verb, subresource) pairs on the one
/// resource the server is configured to ask about. It counts the reviews it answers and can be
/// made to fail (answer `500`) to stand for an API server in trouble.
final class KubernetesStandIn: Sendable {
    struct User: Sendable {
        var username: String
        var groups: [String] = []
        var uid: String = UUID().uuidString
        /// `nil`: the token is refused (`authenticated: false`), as for an expired or deleted one.
        var grants: Set<Grant>? = []
        /// Audiences the token was issued for; default the API server's.
        var audiences: [String] = ["https://kubernetes.default.svc"]
    }

    struct Grant: Sendable, Hashable {
        var verb: String
        var subresource: String?
    }

    /// The token the reviewer must present.
    let reviewerToken = "reviewer-" + UUID().uuidString
    let namespace = "kubernaut-system"
    let resource = "services"
    let resourceName = "data-storage-service"
    private let users: Mutex<[String: User]>
    private let counts = Mutex<(tokenReviews: Int, accessReviews: Int)>((0, 0))
    private let failing = Atomic<Bool>(false)
    private let delayMilliseconds = Atomic<Int>(0)

    init(users: [String: User] = [:]) {
        self.users = Mutex(users)
    }

    var tokenReviews: Int { counts.withLock { $0.tokenReviews } }
    var accessReviews: Int { counts.withLock { $0.accessReviews } }

    /// Whether every review is answered `500`.
    func fail(_ on: Bool) { failing.store(on, ordering: .releasing) }

    /// How long every review is held before it is answered.
    func delay(milliseconds: Int) { delayMilliseconds.store(milliseconds, ordering: .releasing) }

    func add(token: String, _ user: User) {
        users.withLock { $0[token] = user }
    }

    /// The grants that give exactly `scopes` under the server's documented mapping.
    static func grants(for scopes: some Sequence<AccessScope>) -> Set<Grant> {
        Set(
            scopes.map { scope in
                let check = KubernetesAccessConfiguration.check(for: scope)
                return Grant(verb: check.verb, subresource: check.subresource)
            })
    }

    /// Runs the stand-in on a loopback port while `body` runs (over HTTPS with `tls`, as
    /// `https://localhost:PORT`); `body` gets its URL.
    func run<Value: Sendable>(tls: ServerTLS? = nil, _ body: @Sendable (URL) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("/apis/authentication.k8s.io/v1/tokenreviews") { request, context in
            try await self.answer(request, context: context) { (review: KubernetesStandInDocuments.TokenReview) in
                guard review.apiVersion == "authentication.k8s.io/v1", review.kind == "TokenReview" else { return nil }
                self.counts.withLock { $0.tokenReviews += 1 }
                var review = review
                if let user = self.users.withLock({ $0[review.spec.token] }), user.grants != nil {
                    review.status = .init(
                        authenticated: true, user: .init(username: user.username, uid: user.uid, groups: user.groups), audiences: user.audiences)
                } else {
                    review.status = .init(authenticated: false, error: "invalid bearer token")
                }
                return review
            }
        }
        router.post("/apis/authorization.k8s.io/v1/subjectaccessreviews") { request, context in
            try await self.answer(request, context: context) { (review: KubernetesStandInDocuments.SubjectAccessReview) in
                guard review.apiVersion == "authorization.k8s.io/v1", review.kind == "SubjectAccessReview" else { return nil }
                self.counts.withLock { $0.accessReviews += 1 }
                var review = review
                let attributes = review.spec.resourceAttributes
                let grants: Set<Grant>? = self.users.withLock { users in users.values.first { $0.username == review.spec.user }?.grants ?? nil }
                let allowed =
                    attributes.namespace == self.namespace && attributes.resource == self.resource && attributes.name == self.resourceName
                    && attributes.group == "" && grants?.contains(Grant(verb: attributes.verb, subresource: attributes.subresource)) == true
                review.status = .init(allowed: allowed, reason: allowed ? "RBAC: allowed by a test binding" : nil)
                return review
            }
        }
        let (port, portSignal) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, server: try tls.map { try .tls(.http1(), tlsConfiguration: $0.tlsConfiguration) } ?? .http1(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSignal.yield(channel.localAddress?.port ?? 0)
                portSignal.finish()
            }, logger: Logger(label: "test.kubernetes"))
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            let services = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test.kubernetes")))
            group.addTask {
                try await services.run()
                return nil
            }
            var listening = 0
            for await value in port { listening = value }
            let value = try await body(URL(string: tls == nil ? "http://127.0.0.1:\(listening)" : "https://localhost:\(listening)")!)
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return value
        }
    }

    private func answer<Review: Codable & Sendable>(
        _ request: Request, context: some RequestContext, _ review: (Review) -> Review?
    ) async throws -> Response {
        let wait = delayMilliseconds.load(ordering: .acquiring)
        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
        guard request.headers[.authorization] == "Bearer " + reviewerToken else {
            return Self.json(.unauthorized, Data(#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}"#.utf8))
        }
        guard !failing.load(ordering: .acquiring) else {
            return Self.json(.internalServerError, Data(#"{"kind":"Status","apiVersion":"v1","status":"Failure","code":500}"#.utf8))
        }
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let decoded = try? JSONDecoder().decode(Review.self, from: Data(buffer: body)), let answered = review(decoded) else {
            return Self.json(.badRequest, Data(#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"BadRequest","code":400}"#.utf8))
        }
        return Self.json(.created, try JSONEncoder().encode(answered))
    }

    private static func json(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The review documents as the API server reads and writes them (written here from the
/// Kubernetes API reference, separately from the server's own, so that a mistake in one
/// is not repeated in the other).
enum KubernetesStandInDocuments {
    struct UserInfo: Codable, Sendable {
        var username: String?
        var uid: String?
        var groups: [String]?
    }

    struct TokenReview: Codable, Sendable {
        struct Spec: Codable, Sendable {
            var token: String
            var audiences: [String]?
        }
        struct Status: Codable, Sendable {
            var authenticated: Bool?
            var user: UserInfo?
            var audiences: [String]?
            var error: String?
        }
        var apiVersion: String
        var kind: String
        var spec: Spec
        var status: Status?
    }

    struct SubjectAccessReview: Codable, Sendable {
        struct Attributes: Codable, Sendable {
            var namespace: String?
            var verb: String
            var group: String?
            var resource: String
            var subresource: String?
            var name: String?
        }
        struct Spec: Codable, Sendable {
            var user: String
            var uid: String?
            var groups: [String]?
            var resourceAttributes: Attributes
        }
        struct Status: Codable, Sendable {
            var allowed: Bool
            var denied: Bool?
            var reason: String?
        }
        var apiVersion: String
        var kind: String
        var spec: Spec
        var status: Status?
    }
}
