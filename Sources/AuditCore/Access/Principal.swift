/// Who makes a request, as the server authenticated it, and what it may do.
public struct Principal: Sendable, Hashable {
    /// How the principal was authenticated.
    public enum Method: String, Sendable, Hashable {
        /// A static bearer token from the token file.
        case token
        /// `X-Auth-Request-User` from a trusted proxy address.
        case proxy
        /// A bearer token the Kubernetes API vouched for (`TokenReview`), scopes by `SubjectAccessReview`.
        case kubernetes
        /// A JWT of the configured OIDC issuer, verified with its keys.
        case jwt
        /// A client certificate (mTLS) from a CA the server was given (`--tls-client-ca`).
        case certificate
        /// No authentication is configured (loopback only, or `--insecure-no-auth`).
        case none
    }

    /// Whether the principal is a person or a service account.
    public enum Kind: String, Sendable, Hashable, Codable {
        case service
        case human
    }

    /// The name recorded as `placed_by`, `released_by` and in the server's own audit events.
    public var name: String
    public var kind: Kind
    public var scopes: Set<AccessScope>
    public var readLimits: ReadLimits
    public var method: Method

    public init(name: String, kind: Kind, scopes: Set<AccessScope>, readLimits: ReadLimits = .unlimited, method: Method) {
        self.name = name
        self.kind = kind
        self.scopes = scopes
        self.readLimits = readLimits
        self.method = method
    }

    /// The principal of a server without authentication: every scope, no limits.
    public static let unauthenticated = Principal(
        name: "anonymous", kind: .service, scopes: Set(AccessScope.allCases), method: .none)

    public func has(_ scope: AccessScope) -> Bool { scopes.contains(scope) }
}

extension Principal {
    /// Longest principal name, in Unicode scalars.
    public static let maximumNameLength = 255

    /// Why `name` cannot name a principal, or `nil` when it can: 1–255 Unicode scalars, no
    /// control characters and no bidirectional controls (which make a log or a report show
    /// another name than the one stored).
    public static func problem(withName name: String) -> String? {
        let scalars = name.unicodeScalars
        guard !scalars.isEmpty else { return "must not be empty" }
        guard scalars.count <= maximumNameLength else { return "must be at most \(maximumNameLength) characters" }
        for scalar in scalars {
            if scalar.properties.generalCategory == .control || Self.bidiControls.contains(scalar.value) {
                return "must not contain control or bidirectional-control characters"
            }
        }
        return nil
    }

    /// U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069.
    private static let bidiControls: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
}
