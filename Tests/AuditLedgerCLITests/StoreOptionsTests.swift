import ArgumentParser
import AuditCore
import AuditSQLite
import Foundation
import Testing

@testable import AuditLedgerCLI

/// `--sqlite-index-event-data`: which `event_data` paths the embedded store indexes.
@Suite struct StoreOptionsTests {
    @Test("Without the option the store's default paths; given, exactly those; 'none' indexes nothing")
    func indexedPaths() throws {
        #expect(try StoreOptions.parse([]).resolvedIndexedEventDataPaths() == SQLiteStoreConfiguration.defaultIndexedEventDataPaths)
        let given = try StoreOptions.parse(["--sqlite-index-event-data", "signal.fingerprint", "--sqlite-index-event-data", "workflow_id"])
        #expect(try given.resolvedIndexedEventDataPaths().map(\.description) == ["signal.fingerprint", "workflow_id"])
        #expect(try StoreOptions.parse(["--sqlite-index-event-data", "none"]).resolvedIndexedEventDataPaths().isEmpty)
    }

    @Test("A path through an array index, or with characters a path may not hold, is refused by name")
    func refusedPaths() throws {
        for text in ["results.0.workflow_id", "a b", "a..b", "'; DROP TABLE x; --", ""] {
            let options = try StoreOptions.parse(["--sqlite-index-event-data", text])
            #expect(throws: ValidationError.self, "\(text)") { try options.resolvedIndexedEventDataPaths() }
            do {
                _ = try options.resolvedIndexedEventDataPaths()
            } catch let error as ValidationError {
                #expect(error.message.contains("--sqlite-index-event-data"))
            }
        }
    }
}
