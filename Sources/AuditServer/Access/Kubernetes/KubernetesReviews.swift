/// The documents of the two review APIs this server sends and reads
/// (`authentication.k8s.io/v1` `TokenReview`, `authorization.k8s.io/v1` `SubjectAccessReview`);
/// only the members it uses.
enum KubernetesReviews {
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
        var apiVersion = "authentication.k8s.io/v1"
        var kind = "TokenReview"
        var spec: Spec
        var status: Status?
    }

    struct UserInfo: Codable, Sendable, Hashable {
        var username: String?
        var uid: String?
        var groups: [String]?
        var extra: [String: [String]]?
    }

    struct SubjectAccessReview: Codable, Sendable {
        struct ResourceAttributes: Codable, Sendable {
            var namespace: String
            var verb: String
            var group: String
            var resource: String
            var subresource: String?
            var name: String
        }
        struct Spec: Codable, Sendable {
            var user: String
            var uid: String?
            var groups: [String]?
            var extra: [String: [String]]?
            var resourceAttributes: ResourceAttributes
        }
        struct Status: Codable, Sendable {
            var allowed: Bool?
            var denied: Bool?
            var reason: String?
            var evaluationError: String?
        }
        var apiVersion = "authorization.k8s.io/v1"
        var kind = "SubjectAccessReview"
        var spec: Spec
        var status: Status?
    }
}
