/// The chain the stored checkpoints form (``Checkpoint/Link``), followed in tree-size order:
/// each checkpoint must name the one stored before it, so that a checkpoint deleted from the
/// middle of the history leaves its successor naming one that is not there.
///
/// Checkpoints signed before links were written carry none; the chain starts at the first that
/// does, and every checkpoint after it must carry one. A checkpoint that does not verify is not
/// followed (it is named for that already). The newest checkpoints deleted leave no trace here:
/// that takes a witness, or a verifier that saw them (``LogAuditor``).
public struct CheckpointChain: Sendable {
    public init() {}

    /// The last checkpoint followed: its tree size and the link its successor must carry.
    private var last: Checkpoint.Link?
    /// Whether a checkpoint followed so far carried a link.
    private var started = false

    /// Steps over a stored checkpoint of tree size `size` that does not verify (named for that
    /// already), without judging its link: its successor is judged against its `text`.
    public mutating func pass(over size: Int64, text: String) {
        last = Checkpoint.Link(treeSize: size, text: text)
    }

    /// Follows `checkpoint`, whose signed text is `text` (as stored: its extension lines
    /// included); what is wrong with its place in the chain, if anything.
    public mutating func follow(_ checkpoint: Checkpoint, text: String) -> String? {
        defer {
            last = Checkpoint.Link(treeSize: checkpoint.treeSize, text: text)
            if checkpoint.previous != nil { started = true }
        }
        guard let previous = checkpoint.previous else {
            return started ? "it names no checkpoint before it, though the checkpoints before it are chained" : nil
        }
        guard let last else {
            return "it names a checkpoint of tree size \(previous.treeSize) before it, which is not stored: a checkpoint was deleted"
        }
        if previous == last { return nil }
        if previous.treeSize > last.treeSize {
            return
                "it names a checkpoint of tree size \(previous.treeSize) before it, which is not stored: a checkpoint was deleted (the one before it in the store is of size \(last.treeSize))"
        }
        if previous.treeSize == last.treeSize {
            return "the checkpoint of tree size \(last.treeSize) before it is not the one it names: that checkpoint was replaced"
        }
        return
            "it names a checkpoint of tree size \(previous.treeSize) before it, but the store holds one of size \(last.treeSize) in between, which no checkpoint names: it was inserted"
    }
}
