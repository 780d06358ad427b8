public import AuditCore
import Foundation
public import Logging
import Synchronization

/// The static token file, read at start and again whenever it changes on disk (checked at
/// most once a second, when a token is presented), so that `auditledger tokens create|revoke`
/// take effect without a restart. A file that no longer reads is reported and the tokens read
/// before stay in force until it reads again.
public final class TokenFileSource: Sendable {
    public let path: String
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var file: TokenFile
        var stamp: FileStamp?
        var checked: ContinuousClock.Instant
        /// The stamp of a version that did not read, so that it is reported once.
        var reportedBad: FileStamp?
    }

    /// Reads `path`.
    /// - Throws: ``AuditCore/AuditError`` `validation` when it is missing or does not read.
    public init(path: String, logger: Logger) throws(AuditError) {
        self.path = path
        self.logger = logger
        let stamp = FileStamp(path: path)
        let file = try Self.read(path)
        state = Mutex(State(file: file, stamp: stamp, checked: .now))
    }

    /// The tokens in force now.
    public func current() -> TokenFile {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard now - state.checked >= .seconds(1) else { return state.file }
            state.checked = now
            let stamp = FileStamp(path: path)
            guard stamp != state.stamp, stamp != state.reportedBad else { return state.file }
            do throws(AuditError) {
                state.file = try Self.read(path)
                state.stamp = stamp
                state.reportedBad = nil
                logger.notice("token file re-read", metadata: ["audit.tokens.file": "\(path)", "audit.tokens.count": "\(state.file.tokens.count)"])
            } catch {
                state.reportedBad = stamp
                logger.error(
                    "token file changed but does not read; the tokens read before stay in force",
                    metadata: ["audit.tokens.file": "\(path)", "error": "\(error.detail)"])
            }
            return state.file
        }
    }

    static func read(_ path: String) throws(AuditError) -> TokenFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError.validation(field: "auth-tokens", "cannot read \(path)")
        }
        do {
            return try TokenFile.decode(Array(data))
        } catch {
            throw AuditError(.validation, detail: "\(path): \(error.detail)", fieldErrors: error.fieldErrors)
        }
    }
}

/// What tells one version of a file from the next: size, modification time and inode.
///
/// Read through `FileManager` rather than `stat(2)`: which C module a `struct stat` member is
/// attributed to varies with the modules a build loads (a fresh build once refused `st_ino` as
/// CoreFoundation's under member import visibility).
struct FileStamp: Hashable {
    var size: UInt64
    var modified: Date
    var inode: UInt64

    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.uint64Value, let modified = attributes[.modificationDate] as? Date
        else { return nil }
        self.size = size
        self.modified = modified
        self.inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }
}
