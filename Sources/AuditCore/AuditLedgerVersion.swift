/// The version of AuditLedger this build is: printed by `auditledger --version` and exported
/// as `auditledger_build_info{version}` (never sent in a header, where it would tell a scanner
/// which weaknesses to try).
///
/// Semantic versioning; `0.x` while the API beyond Kubernaut's may still change. Raised by hand
/// with each release.
public enum AuditLedgerVersion {
    /// The version, e.g. `0.13.0`.
    public static let current = "0.13.0"
}
