import AsyncHTTPClient
import AuditCore
import Foundation
import JWTKit
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// Bearer tokens that are JWTs of one issuer (``JWTAccessConfiguration``), verified with the
/// issuer's keys; see ``authenticate(_:logger:)``.
public final class JWTAuthenticator: Sendable {
    /// The keys read, and the ids (`kid`) they carry.
    private struct KeySet: Sendable {
        var collection: JWTKeyCollection
        var ids: Set<String>
    }

    private struct Keys {
        var collection: KeySet?
        /// When the source was last read (or a refetch was tried).
        var readAt: ContinuousClock.Instant
        /// The file's modification date when it was read.
        var fileDate: Date?
    }

    public let configuration: JWTAccessConfiguration
    private let keys: Mutex<Keys>
    private let logger: Logger

    /// Reads the keys now when they come from a file (so that a wrong file stops `serve`); a URL
    /// is fetched now too, but one that does not answer only delays JWTs (`503`) until it does.
    /// - Throws: ``JWTAccessError`` when the file is not a JWKS this server can use.
    public init(configuration: JWTAccessConfiguration, logger: Logger) async throws(JWTAccessError) {
        self.configuration = configuration
        self.logger = logger
        var initial = Keys(collection: nil, readAt: .now - .seconds(3600), fileDate: nil)
        if case .file(let path) = configuration.keys {
            initial.collection = try await Self.collection(from: try Self.read(path), source: path)
            initial.readAt = .now
            initial.fileDate = Self.modificationDate(path)
        }
        if case .url(let url) = configuration.keys {
            do {
                initial.collection = try await Self.collection(from: try await Self.fetch(url), source: url.absoluteString)
                initial.readAt = .now
            } catch {
                logger.warning("JWKS URL cannot be used yet; JWTs get 503 until it can", metadata: ["error": "\(error)"])
            }
        }
        self.keys = Mutex(initial)
    }

    /// Whether `token` is a JWT whose (unverified) `iss` is this issuer's: only those are
    /// verified here; any other bearer token goes to the other methods.
    public func isIssued(_ token: String) -> Bool {
        Self.unverified(token, part: 1)?["iss"] as? String == configuration.issuer
    }

    /// Verifies the signature (with the key the token's `kid` names), then `iss`, `aud`, `exp`
    /// and `nbf`; the principal is the configured claim, its scopes the scope claim's names.
    /// ``BearerVerdict/unverifiable`` when no keys could be read (the JWKS URL does not answer
    /// and none were fetched before).
    public func authenticate(_ token: String, logger: Logger) async -> BearerVerdict {
        guard var keys = await currentKeys(forceRefresh: false) else { return .unverifiable }
        if case .url = configuration.keys, let id = Self.keyID(of: token), !keys.ids.contains(id) {
            // The issuer may have rotated its keys.
            if let fresh = await currentKeys(forceRefresh: true) { keys = fresh }
        }
        do {
            return check(try await keys.collection.verify(token, as: JWTClaimSet.self), logger: logger)
        } catch {
            logger.info("JWT refused", metadata: ["audit.auth.refusal": "unknown", "audit.jwt.error": "\(Self.reason(error))"])
            return .refused(.unknown)
        }
    }

    /// The `kid` of the token's (unverified) header.
    private static func keyID(of token: String) -> String? {
        unverified(token, part: 0)?["kid"] as? String
    }

    /// Part `part` (0 the header, 1 the payload) of a three-part JWT as a JSON object, before
    /// any check: only to tell which issuer and key a token names.
    private static func unverified(_ token: String, part: Int) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(parts[part]) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    private func check(_ claims: JWTClaimSet, logger: Logger) -> BearerVerdict {
        let now = Date().timeIntervalSince1970
        let leeway = Double(configuration.leewaySeconds)
        func refuse(_ reason: TokenRefusal, _ why: String) -> BearerVerdict {
            logger.info("JWT refused", metadata: ["audit.auth.refusal": "\(reason.rawValue)", "audit.jwt.error": "\(why)"])
            return .refused(reason)
        }
        guard claims.string("iss") == configuration.issuer else { return refuse(.unknown, "another issuer") }
        guard claims.strings("aud").contains(configuration.audience) else { return refuse(.unknown, "another audience") }
        guard let expires = claims.number("exp") else { return refuse(.malformed, "no exp") }
        guard expires + leeway > now else { return refuse(.expired, "expired") }
        if let notBefore = claims.number("nbf"), notBefore - leeway > now { return refuse(.unknown, "not valid yet") }
        guard let name = claims.string(configuration.principalClaim), Principal.problem(withName: name) == nil else {
            return refuse(.malformed, "no usable \(configuration.principalClaim) claim")
        }
        let names: [String] =
            switch claims.claims[configuration.scopeClaim] {
            case .string(let text)?: text.split(separator: " ").map(String.init)
            case .strings(let values)?: values
            default: []
            }
        let scopes = Set(names.compactMap(AccessScope.init(name:)))
        return .accepted(Principal(name: name, kind: configuration.kind, scopes: scopes, method: .jwt))
    }

    /// The key collection, read again when the file changed or the URL is due (see
    /// ``JWTAccessConfiguration/KeySource``). Keys already read are kept when a new read fails.
    private func currentKeys(forceRefresh: Bool) async -> KeySet? {
        let (current, readAt, fileDate) = keys.withLock { ($0.collection, $0.readAt, $0.fileDate) }
        let age = ContinuousClock.now - readAt
        switch configuration.keys {
        case .file(let path):
            guard age >= .seconds(Int64(configuration.fileCheckSeconds)) else { return current }
            let date = Self.modificationDate(path)
            keys.withLock { $0.readAt = .now }
            guard date != fileDate else { return current }
            do {
                let fresh = try await Self.collection(from: try Self.read(path), source: path)
                keys.withLock {
                    $0.collection = fresh
                    $0.fileDate = date
                }
                logger.notice("JWKS file read again", metadata: ["audit.jwt.jwks": "\(path)"])
                return fresh
            } catch {
                logger.error("JWKS file cannot be used; keeping the keys read before", metadata: ["error": "\(error)"])
                return current
            }
        case .url(let url):
            let minimum = Duration.seconds(Int64(configuration.minimumRefetchSeconds))
            let due = age >= .seconds(Int64(configuration.refreshSeconds)) || ((current == nil || forceRefresh) && age >= minimum)
            guard due else { return current }
            keys.withLock { $0.readAt = .now }
            do {
                let fresh = try await Self.collection(from: try await Self.fetch(url), source: url.absoluteString)
                keys.withLock { $0.collection = fresh }
                return fresh
            } catch {
                logger.warning("JWKS URL cannot be used; keeping the keys fetched before", metadata: ["error": "\(error)"])
                return current
            }
        }
    }

    private static func read(_ path: String) throws(JWTAccessError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw JWTAccessError("the JWKS file \(path) cannot be read") }
        return data
    }

    private static func fetch(_ url: URL) async throws(JWTAccessError) -> Data {
        do {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 200 else { throw JWTAccessError("the JWKS URL \(url) answered \(response.status.code)") }
            return Data(buffer: body)
        } catch let error as JWTAccessError {
            throw error
        } catch {
            throw JWTAccessError("the JWKS URL \(url) could not be reached (\(type(of: error)))")
        }
    }

    private static func collection(from data: Data, source: String) async throws(JWTAccessError) -> KeySet {
        let collection = JWTKeyCollection()
        do {
            let jwks = try JSONDecoder().decode(JWKS.self, from: data)
            guard !jwks.keys.isEmpty else { throw JWTAccessError("\(source) holds no keys") }
            try await collection.add(jwks: jwks)
            return KeySet(collection: collection, ids: Set(jwks.keys.compactMap { $0.keyIdentifier?.string }))
        } catch let error as JWTAccessError {
            throw error
        } catch {
            throw JWTAccessError("\(source) is not a JWKS document with keys this server can use")
        }
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// Why JWTKit refused, in words fit for a log line (never the token).
    private static func reason(_ error: any Error) -> String {
        guard let error = error as? JWTError else { return "not a JWT" }
        return error.errorType.description
    }
}

/// The JWT settings cannot be used; `serve` stops with the description.
public struct JWTAccessError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
