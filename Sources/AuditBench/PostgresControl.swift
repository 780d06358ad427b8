import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Breaks and mends the PostgreSQL server under test, through a control script taking `stop`
/// (fast shutdown: sessions are ended, commits in flight finish or fail), `kill` (immediate
/// shutdown: the server stops as if it had crashed and recovers at the next start), `sigkill`
/// (SIGKILL to the postmaster), `start`, `readonly` and `writable`.
/// `scripts/with-postgres` writes such a script for its throwaway cluster.
struct PostgresControl: Sendable {
    let script: String

    func stop() async throws { try await run("stop") }
    func kill() async throws { try await run("kill") }
    /// SIGKILL to the postmaster.
    func sigkill() async throws { try await run("sigkill") }
    func start() async throws { try await run("start") }
    /// Every new transaction read-only, cluster-wide (`default_transaction_read_only`).
    func readOnly() async throws { try await run("readonly") }
    func writable() async throws { try await run("writable") }

    /// Spawns the script and polls `waitpid` for it. Not Foundation's `Process`: it watches a
    /// socket the child inherits, and the PostgreSQL server that `pg_ctl start` leaves running
    /// inherits it too, so the script would never be seen to end.
    private func run(_ action: String) async throws {
        var pid: pid_t = 0
        var files = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&files)
        defer { posix_spawn_file_actions_destroy(&files) }
        posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0)
        let arguments = [script, action]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, script, &files, nil, &argv, environ)
        guard spawned == 0 else { throw BenchFailure("\(script) \(action): could not start it (errno \(spawned))") }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 { throw BenchFailure("\(script) \(action): waitpid failed (errno \(errno))") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // WIFEXITED / WEXITSTATUS, spelled out (the C macros are not imported).
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else { throw BenchFailure("\(script) \(action) failed (wait status \(status))") }
    }
}
