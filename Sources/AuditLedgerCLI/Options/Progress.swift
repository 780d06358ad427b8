import Foundation
import Synchronization

/// Progress of a long operation on standard error: a bar redrawn in place on a terminal, a
/// line per tenth otherwise (logs, CI).
final class Progress: Sendable {
    private let label: String
    private let total: Int64
    private let interactive = isatty(STDERR_FILENO) == 1
    private let lastTenth = Mutex<Int64>(-1)
    private let started = ContinuousClock.now

    init(_ label: String, total: Int64) {
        self.label = label
        self.total = max(total, 1)
    }

    func update(_ done: Int64) {
        let fraction = min(Double(done) / Double(total), 1)
        if interactive {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total)\(remaining(done))  ".utf8))
            return
        }
        let tenth = Int64(fraction * 10)
        let changed = lastTenth.withLock { last in
            defer { last = tenth }
            return last != tenth
        }
        if changed {
            FileHandle.standardError.write(Data("\(label): \(Int(fraction * 100))% (\(done)/\(total))\(remaining(done))\n".utf8))
        }
    }

    /// ", ETA 1m05s" from the pace so far; empty before the first step or after the last.
    private func remaining(_ done: Int64) -> String {
        guard done > 0, done < total else { return "" }
        let elapsed = ContinuousClock.now - started
        let seconds = Int((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * Double(total - done) / Double(done))
        return seconds >= 60 ? ", ETA \(seconds / 60)m\(String(format: "%02d", seconds % 60))s" : ", ETA \(seconds)s"
    }

    /// A step of an operation that has no measurable progress, on its own line.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
