import AuditCore
import HTTPTypes
import Hummingbird
import Logging

/// Chooses the store a query reads (``StandbyReads``): the primary when no standby is
/// configured; else the standby, unless the request needs writes it has not replayed yet.
struct ReadRouter: Sendable {
    /// Which database answered a read: the `X-AuditLedger-Read-From` header's value.
    enum Source: String, Sendable {
        case primary, standby
    }

    let primary: any AuditStore
    let standby: StandbyReads?
    let logger: Logger

    /// Runs `body` on the store `consistency` allows; a standby read that fails as
    /// `unavailable` is run again on the primary.
    func read<Value: Sendable>(
        _ consistency: ReadConsistency, _ body: (any AuditStore) async throws(AuditError) -> Value
    ) async throws(AuditError) -> (value: Value, source: Source) {
        guard let standby else { return (try await body(primary), .primary) }
        if try await standbyServes(consistency, standby) {
            do {
                return (try await body(standby.standby), .standby)
            } catch let error where error.code == .unavailable {
                logger.notice(
                    "the standby could not answer a read; the primary answers it", metadata: ["error": "\(AuditError.logDescription(of: error))"])
            }
        }
        return (try await body(primary), .primary)
    }

    /// Whether the standby may answer: always for ``ReadConsistency/standby``; for
    /// read-your-writes once it has replayed the primary's position taken now, polled until
    /// ``StandbyReads/readYourWritesWait``. A database that is not in recovery (promoted, or
    /// configured by mistake) is never waited for.
    private func standbyServes(_ consistency: ReadConsistency, _ settings: StandbyReads) async throws(AuditError) -> Bool {
        guard consistency == .readYourWrites else { return true }
        let target = try await settings.primary.replicationPosition()
        let deadline = ContinuousClock.now + settings.readYourWritesWait
        while true {
            if let position = try? await settings.standby.replicationPosition() {
                guard position.isStandby else { return false }
                if position.hasReplayed(target) { return true }
            }
            guard ContinuousClock.now < deadline, (try? await Task.sleep(for: settings.pollInterval)) != nil else { return false }
        }
    }
}

extension ReadConsistency {
    /// The `X-AuditLedger-Consistency` header of `request`: ``standby`` when absent.
    static func of(_ request: Request) throws(AuditError) -> ReadConsistency {
        guard let text = request.headers[.consistency] else { return .standby }
        guard let consistency = ReadConsistency(rawValue: text.lowercased()) else {
            throw AuditError.validation(field: "X-AuditLedger-Consistency", "must be standby or read-your-writes")
        }
        return consistency
    }
}

extension Response {
    /// Says which database answered (`X-AuditLedger-Read-From`).
    func readFrom(_ source: ReadRouter.Source) -> Response {
        var response = self
        response.headers[.readFrom] = source.rawValue
        return response
    }
}

extension HTTPField.Name {
    static let consistency = HTTPField.Name("X-AuditLedger-Consistency")!
    static let readFrom = HTTPField.Name("X-AuditLedger-Read-From")!
}
