import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
public import ServiceLifecycle
import Synchronization

/// Sends `TokenReview`s and `SubjectAccessReview`s to the Kubernetes API server, as this
/// server's own service account (its token file re-read at most once a minute).
///
/// Run it as a `Service`: on graceful shutdown it closes its connections. Calls after that fail
/// as ``KubernetesReviewFailure``.
public final class KubernetesReviewer: Service, Sendable {
    let configuration: KubernetesAccessConfiguration
    private let client: HTTPClient
    private let logger: Logger
    private let ownToken = Mutex<(text: String, readAt: ContinuousClock.Instant)?>(nil)
    private let shutDown = Atomic<Bool>(false)

    /// Creates a reviewer; the certificate authorities are read now, so that a wrong file stops
    /// `serve` at once.
    /// - Throws: ``KubernetesReviewFailure`` when the CA file cannot be read as PEM certificates.
    public init(configuration: KubernetesAccessConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = try Self.trustRoots(configuration)
        var http = HTTPClient.Configuration(tlsConfiguration: tls)
        http.redirectConfiguration = .disallow
        http.timeout = .init(connect: .milliseconds(Int64(configuration.timeoutSeconds * 1000)))
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http, backgroundActivityLogger: logger)
    }

    /// Checks that `configuration`'s CA file can be read, without opening anything.
    public static func check(_ configuration: KubernetesAccessConfiguration) throws(KubernetesReviewFailure) {
        _ = try trustRoots(configuration)
    }

    private static func trustRoots(_ configuration: KubernetesAccessConfiguration) throws(KubernetesReviewFailure) -> NIOSSLTrustRoots {
        guard let file = configuration.certificateAuthorityFile else { return .default }
        do {
            let certificates = try NIOSSLCertificate.fromPEMFile(file)
            guard !certificates.isEmpty else { throw KubernetesReviewFailure("empty") }
            return .certificates(certificates)
        } catch {
            throw KubernetesReviewFailure("the Kubernetes CA file \(file) holds no readable PEM certificate")
        }
    }

    /// Waits for graceful shutdown, then closes the connections.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Closes the connections (once; later calls do nothing).
    public func shutdown() async throws {
        guard !shutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try await client.shutdown()
    }

    /// Who `token` belongs to.
    func review(token: String, logger: Logger) async throws(KubernetesReviewFailure) -> KubernetesReviews.TokenReview.Status {
        let review = KubernetesReviews.TokenReview(spec: .init(token: token, audiences: configuration.audience.map { [$0] }))
        let answer = try await post("/apis/authentication.k8s.io/v1/tokenreviews", review, as: KubernetesReviews.TokenReview.self, logger: logger)
        guard let status = answer.status else { throw KubernetesReviewFailure("the TokenReview answer has no status") }
        return status
    }

    /// Whether `user` may use `verb` (on `subresource`) of the configured resource.
    func review(
        user: KubernetesReviews.UserInfo, username: String, verb: String, subresource: String?, logger: Logger
    ) async throws(KubernetesReviewFailure) -> Bool {
        let review = KubernetesReviews.SubjectAccessReview(
            spec: .init(
                user: username, uid: user.uid, groups: user.groups, extra: user.extra,
                resourceAttributes: .init(
                    namespace: configuration.namespace, verb: verb, group: configuration.resourceGroup, resource: configuration.resource,
                    subresource: subresource, name: configuration.resourceName)))
        let answer = try await post(
            "/apis/authorization.k8s.io/v1/subjectaccessreviews", review, as: KubernetesReviews.SubjectAccessReview.self, logger: logger)
        guard let status = answer.status else { throw KubernetesReviewFailure("the SubjectAccessReview answer has no status") }
        if let error = status.evaluationError, !error.isEmpty {
            logger.notice("the access review had an evaluation error", metadata: ["audit.kubernetes.error": "\(error)"])
        }
        return status.allowed == true && status.denied != true
    }

    private func post<Body: Encodable, Answer: Decodable>(
        _ path: String, _ body: Body, as: Answer.Type, logger: Logger
    ) async throws(KubernetesReviewFailure) -> Answer {
        guard !shutDown.load(ordering: .acquiring) else { throw KubernetesReviewFailure("the server is shutting down") }
        let token = try currentToken()
        var request = HTTPClientRequest(url: configuration.apiServer.absoluteString.trimmingSuffix("/") + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer " + token)
        do {
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
            let response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeoutSeconds * 1000)), logger: logger)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw KubernetesReviewFailure("the API server answered \(response.status.code) to \(path)")
            }
            return try JSONDecoder().decode(Answer.self, from: Data(buffer: bytes))
        } catch let failure as KubernetesReviewFailure {
            throw failure
        } catch is DecodingError {
            throw KubernetesReviewFailure("the API server's answer to \(path) could not be read")
        } catch {
            throw KubernetesReviewFailure("the API server could not be reached (\(type(of: error)))")
        }
    }

    /// This server's token, read from ``KubernetesAccessConfiguration/tokenFile`` at most once a minute.
    private func currentToken() throws(KubernetesReviewFailure) -> String {
        let now = ContinuousClock.now
        if let cached = ownToken.withLock({ $0 }), now - cached.readAt < .seconds(60) { return cached.text }
        guard let data = FileManager.default.contents(atPath: configuration.tokenFile),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else {
            throw KubernetesReviewFailure("the service account token file \(configuration.tokenFile) cannot be read")
        }
        ownToken.withLock { $0 = (text, now) }
        return text
    }
}

/// A review could not be made or read; the request is answered `503`, never `401`.
public struct KubernetesReviewFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
