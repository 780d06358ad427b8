import JWTKit

/// Every top-level claim of a token, as far as AuditLedger reads claims: strings, arrays of
/// strings, numbers, booleans (anything else is kept as present but unread). The signature is
/// checked by JWTKit before these are trusted; the claims are checked by ``JWTAuthenticator``.
struct JWTClaimSet: JWTPayload {
    enum Value: Codable, Sendable, Hashable {
        case string(String)
        case strings([String])
        case number(Double)
        case bool(Bool)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([String].self) {
                self = .strings(value)
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else {
                self = .other
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .strings(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .other: try container.encodeNil()
            }
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var claims: [String: Value]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var claims: [String: Value] = [:]
        for key in container.allKeys { claims[key.stringValue] = try container.decode(Value.self, forKey: key) }
        self.claims = claims
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in claims { try container.encode(value, forKey: Key(stringValue: name)) }
    }

    /// The claims are checked by ``JWTAuthenticator`` against its configuration.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    func string(_ name: String) -> String? {
        if case .string(let value)? = claims[name] { return value }
        return nil
    }

    /// A string claim, or an array of strings (`aud` may be either).
    func strings(_ name: String) -> [String] {
        switch claims[name] {
        case .string(let value)?: [value]
        case .strings(let values)?: values
        default: []
        }
    }

    func number(_ name: String) -> Double? {
        if case .number(let value)? = claims[name] { return value }
        return nil
    }
}
