import HTTPTypes
import Hummingbird
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Takes `X-Request-ID` from the request when it is well formed (1–128 characters of
/// `A-Z a-z 0-9 . _ : -`), otherwise makes one; puts it in the logger's metadata as
/// `request.id` (in place of Hummingbird's `hb.request.id`, so that every line has one id) and
/// echoes it on the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AuditRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = request.headers[.xRequestID].flatMap { Self.isWellFormed($0) ? $0 : nil } ?? UUID().uuidString.lowercased()
        context.requestID = requestID
        // One request id per log line: Hummingbird's own counter gives way to this one.
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request.id"] = .string(requestID)
        var response = try await next(request, context)
        response.headers[.xRequestID] = requestID
        return response
    }

    static func isWellFormed(_ value: String) -> Bool {
        (1...128).contains(value.utf8.count)
            && value.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                    true
                default:
                    false
                }
            }
    }
}

extension HTTPField.Name {
    /// `X-Request-ID`.
    static let xRequestID = Self("X-Request-ID")!
}
