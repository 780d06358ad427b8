#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One thing verification found wrong, naming what it is about.
public struct LogProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Subject: Sendable, Hashable {
        /// An event (its log position when it has one).
        case event(UUID, position: Int64?)
        /// A stored (or witnessed) checkpoint of this tree size.
        case checkpoint(treeSize: Int64)
        /// Positions of the log itself.
        case log(Range<Int64>)
        /// A stored perfect subtree the proofs are built from.
        case subtree(LogNodeID)
        /// A month retention removed.
        case month(PartitionMonth)
    }

    public var subject: Subject
    public var message: String

    public init(_ subject: Subject, _ message: String) {
        self.subject = subject
        self.message = message
    }

    public var description: String {
        switch subject {
        case .event(let id, let position):
            "event \(id.uuidString.lowercased())\(position.map { " (position \($0))" } ?? ""): \(message)"
        case .checkpoint(let size): "checkpoint of tree size \(size): \(message)"
        case .log(let range): "log positions \(range.lowerBound)–\(range.upperBound - 1): \(message)"
        case .subtree(let node): "stored subtree of level \(node.level) at index \(node.index): \(message)"
        case .month(let month): "month \(month): \(message)"
        }
    }
}

/// What a verification pass found (``LogAuditor``).
public struct LogVerificationReport: Sendable {
    /// The log's size the pass verified up to.
    public var treeSize: Int64
    /// Events whose stored content was recomputed and compared with the log.
    public var eventsChecked: Int
    /// Logged events whose month retention removed (recorded in the lifecycle log).
    public var removedByRetention: Int
    /// Stored checkpoints whose signature and root were checked.
    public var checkpointsChecked: Int
    /// Witnessed checkpoints checked against the log.
    public var witnessedChecked: Int
    /// Problems, in the order found (at most ``LogAuditor/problemLimit``; ``problemCount`` counts all).
    public var problems: [LogProblem]
    public var problemCount: Int

    public var isValid: Bool { problemCount == 0 }

    public init() {
        treeSize = 0
        eventsChecked = 0
        removedByRetention = 0
        checkpointsChecked = 0
        witnessedChecked = 0
        problems = []
        problemCount = 0
    }
}

/// Which logged events a verification recomputes (the tree and the checkpoints are always
/// checked whole).
public enum LogSelection: Sendable, Hashable {
    case all
    /// The events at these log positions.
    case positions(Range<Int64>)
    /// The events at these positions (one correlation's, say).
    case set(Set<Int64>)

    public func contains(_ position: Int64) -> Bool {
        switch self {
        case .all: true
        case .positions(let range): range.contains(position)
        case .set(let positions): positions.contains(position)
        }
    }
}
