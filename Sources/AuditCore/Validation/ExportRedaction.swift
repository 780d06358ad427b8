/// Kubernaut's `redact_pii` for exports: masks an email, an IP address or a phone number
/// while keeping its shape, in the `event_data` members `user_email`, `source_ip` and
/// `phone_number` (top level) and in `exported_by` when that is an email.
///
/// It runs after the hashes are read, on the answer only: `event_hash` still names the stored
/// event, which a redacted copy no longer reproduces (docs/integrity.md says so).
public enum ExportRedaction {
    /// The `event_data` members masked.
    public static let members: [String: @Sendable (String) -> String] = [
        "user_email": email, "source_ip": ipAddress, "phone_number": phone,
    ]

    /// `event_data` with the members of ``members`` masked; other members untouched.
    public static func redacting(_ data: JSONObject) -> JSONObject {
        var result = data
        for (name, mask) in members {
            if case .string(let text)? = data[name] { result[name] = .string(mask(text)) }
        }
        return result
    }

    /// `user@domain.com` → `u***@d***.com`; text that is not an email is returned unchanged.
    public static func email(_ text: String) -> String {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts[0].first, let domainStart = parts[1].first else { return text }
        let suffix = parts[1].lastIndex(of: ".").map { String(parts[1][$0...]) } ?? ""
        return "\(local)***@\(domainStart)***\(suffix)"
    }

    /// `192.168.1.1` → `192.***.*.***`; an IPv6 address keeps its first group (`2001:***`).
    public static func ipAddress(_ text: String) -> String {
        if text.contains(":") { return (text.split(separator: ":").first.map(String.init) ?? "") + ":***" }
        guard let first = text.split(separator: ".").first else { return "***" }
        return "\(first).***.*.***"
    }

    /// `+1-555-1234` → `+1-***-****`: every digit after the first separator masked.
    public static func phone(_ text: String) -> String {
        guard let separator = text.firstIndex(where: { $0 == "-" || $0 == " " || $0 == "." }) else {
            return String(text.map { $0.isNumber ? "*" : $0 })
        }
        return String(text[..<separator]) + String(text[separator...].map { $0.isNumber ? "*" : $0 })
    }
}
