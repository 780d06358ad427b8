import Testing

@testable import AuditLedgerCLI

/// Text logs: a value taken from a request cannot forge a line or steer the terminal.
@Suite struct TextLogHandlerTests {
    @Test(arguments: [
        ("plain", "plain"), ("rr-1\nforged line", "rr-1\\nforged line"), ("a\rb\tc", "a\\rb\\tc"), ("\u{1b}[31mred", "\\u{1b}[31mred"),
        ("back\\slash", "back\\\\slash"), ("c1 \u{85} del \u{7f}", "c1 \\u{85} del \\u{7f}"), ("é ✓", "é ✓"),
    ])
    func escapes(_ text: String, _ expected: String) {
        #expect(TextLogHandler.escaped(text) == expected)
    }
}
