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
struct FileStamp: Hashable {
    var size: Int64
    var modified: Int64
    var modifiedNanoseconds: Int
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        inode = UInt64(info.st_ino)
    }
}
